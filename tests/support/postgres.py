"""A throwaway PostgreSQL server started from the installed binaries, for the test suite.

PostgreSQL refuses to run as root, and CI runs as root, so the server runs as the `postgres`
system account that Debian's postgresql package creates. Data lives in a temporary directory
and is removed on stop; fsync is off because nothing here needs to survive a crash.

The suite's server keeps its data in memory (/dev/shm) where there is room: each test copies
the migrated template into a database of its own, and on this machine's disk that copy takes
about 400 ms even with fsync off, against 25 ms in memory. The benchmark's server stays on disk.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = "install Debian's postgresql package (make test does this when run as root)"


class PostgresUnavailable(RuntimeError):
    pass


def find_server_binaries() -> Path:
    """The directory holding initdb and pg_ctl: Debian's newest, else whatever is on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if candidates:
        return Path(candidates[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    raise PostgresUnavailable(
        f"PostgreSQL server binaries (pg_ctl, initdb) not found: {INSTALL_HINT}"
    )


# Ports the suite's own servers listen on. Asking the kernel for "any free port" (bind to 0)
# hands out ports from the same range as outgoing connections, and under pytest-xdist another
# worker may be given the same port between our probe and the server's bind. So each worker
# takes ports from its own block, below the range Linux uses for outgoing connections.
_PORTS_PER_WORKER = 400
_FIRST_SUITE_PORT = 20000
_next_port_offset = itertools.count()


def _worker_number() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # "gw3" under xdist
    return int(worker.removeprefix("gw")) if worker.removeprefix("gw").isdigit() else 0


def free_port() -> int:
    """A TCP port on loopback that nothing is listening on now, and that no other test
    worker of this run will be given."""
    block_start = _FIRST_SUITE_PORT + _worker_number() * _PORTS_PER_WORKER
    for _ in range(_PORTS_PER_WORKER):
        port = block_start + next(_next_port_offset) % _PORTS_PER_WORKER
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # left listening by something else on the machine
            return port
    raise RuntimeError(f"no free port in {block_start}–{block_start + _PORTS_PER_WORKER - 1}")


# A test run's databases come and go (each dropped after its test), so the server's data stays
# well under this; a container's default 64 MB /dev/shm is too small and the disk is used.
MEMORY_NEEDED_BYTES = 1024**3


def memory_directory() -> str | None:
    """/dev/shm, if it is there with room to spare; None (the usual temporary directory) if not."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        return None
    return str(shm) if shutil.disk_usage(shm).free >= MEMORY_NEEDED_BYTES else None


class ThrowawayPostgres:
    """Start with start(), connect with url(dbname), stop with stop()."""

    user = "tracker"

    def __init__(self, *, in_memory: bool = False) -> None:
        self.bindir = find_server_binaries()
        self.port = free_port()
        self.workdir = Path(
            tempfile.mkdtemp(prefix="tracker-pg-", dir=memory_directory() if in_memory else None)
        )
        self.datadir = self.workdir / "data"
        self._run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    f"running as root needs the 'postgres' system user: {INSTALL_HINT}"
                ) from None
            os.chown(self.workdir, account.pw_uid, account.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [*self._run_as, *command], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{Path(command[0]).name} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()}"
            )

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "--pgdata",
            str(self.datadir),
            "--username",
            self.user,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-sync",
        )
        self.start_server()

    def start_server(self) -> None:
        """Start (or start again, after stop_server) the server on the same data and port."""
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.workdir}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "--pgdata",
            str(self.datadir),
            "--log",
            str(self.workdir / "server.log"),
            "--options",
            options,
            "--wait",
            "start",
        )

    @property
    def version(self) -> str:
        return self.bindir.parent.name

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def stop_server(self) -> None:
        """Stop the server as an outage would, keeping its data for start_server."""
        self._run(
            str(self.bindir / "pg_ctl"),
            "--pgdata",
            str(self.datadir),
            "--mode",
            "immediate",
            "stop",
        )

    def stop(self) -> None:
        try:
            self.stop_server()
        except PostgresUnavailable:
            pass  # already stopped (a drill that failed while the server was down)
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)
