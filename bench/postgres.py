"""Run one command against a throwaway PostgreSQL server, for `make bench-http`.

The server is the one the test suite starts (tests/support/postgres.py), from Debian's
binaries, with fsync and synchronous commit off: writes are quicker than on a production
server that keeps them through a power cut, reads the same.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.postgres import ThrowawayPostgres


def main() -> None:
    server = ThrowawayPostgres()
    server.start()
    try:
        environment = {**os.environ, "DATABASE_URL": server.url()}
        sys.exit(subprocess.call(sys.argv[1:], env=environment))  # noqa: S603 - our own command
    finally:
        server.stop()


if __name__ == "__main__":
    main()
