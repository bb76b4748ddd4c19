"""The app served as people meet it: gunicorn in its own processes, or a threaded server.

Drills and concurrency tests talk to these over HTTP with one `requests` session per person,
so cookies and CSRF tokens work as in a browser.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import requests
from flask import Flask
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import make_server

from tests.conftest import csrf_token_from
from tests.support.databases import TEST_ENCRYPTION_KEY, TEST_SECRET_KEY
from tests.support.postgres import free_port

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Gunicorn:
    base_url: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def log_text(self) -> str:
        """What gunicorn and the app have logged so far, for a failing drill's message."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def _wait_until_serving(base_url: str, process: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before serving")
        try:
            if requests.get(f"{base_url}/login", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{base_url} did not start serving within 30 s")


@contextmanager
def gunicorn_serving(
    database_url: str,
    workers: int = 4,
    threads: int = 1,
    extra_arguments: list[str] | None = None,
    **environment: str,
) -> Iterator[Gunicorn]:
    """gunicorn as `make serve` runs it (its own worker processes), on a free local port."""
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the server stops
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        **environment,
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "5",
            *(extra_arguments or []),
            "wsgi:app",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: nobody reads a pipe while the drill runs, and a full one would
        # block every worker that logs.
        stderr=log,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base_url, process)
        yield Gunicorn(base_url, process, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class _RequestsInFlight:
    """Counts the requests the app is still answering, so a server can wait them out.

    Flask ends its app context (giving the database connection back to the pool) before it
    returns the response, so a count of zero means no request holds a connection.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.answering = 0
        self.changed = threading.Condition()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self.changed:
            self.answering += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.changed:
                self.answering -= 1
                self.changed.notify_all()

    def wait_until_idle(self, seconds: float) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.answering == 0, timeout=seconds):
                raise AssertionError(f"{self.answering} request(s) still running after {seconds} s")


@contextmanager
def threaded_serving(app: Flask, extra_files: dict[str, Path] | None = None) -> Iterator[str]:
    """The app in this process on Werkzeug's threaded server, as `flask run` serves it; with
    extra_files (a test's own scripts) served beside it at their paths, outside the app."""
    counted = _RequestsInFlight(app)
    served: WSGIApplication = counted
    if extra_files:
        served = SharedDataMiddleware(
            counted, {path: str(file) for path, file in extra_files.items()}
        )
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        # A browser can leave a request behind (a closed page's last htmx call). Let it end
        # before the test disposes of the engine: a connection handed back to a disposed pool
        # is never closed, and psycopg's warning would fail whichever test runs next.
        counted.wait_until_idle(seconds=30)


def person() -> requests.Session:
    """One person's browser: cookies kept, each request on a connection of its own.

    gunicorn closes a kept-alive connection after 2 s idle; a drill's person often waits
    longer than that (at a barrier, or while others sign in), and a request sent just as the
    server closes the connection is reset.
    """
    http = requests.Session()
    http.headers["Connection"] = "close"
    return http


def csrf_token(http: requests.Session, url: str) -> str:
    """The CSRF token of the form on the page at url, fetched in this person's session."""
    return csrf_token_from(http.get(url, timeout=30).text)
