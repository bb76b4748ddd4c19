"""Fresh databases for each test, on SQLite and on PostgreSQL.

Each backend migrates a template database once per run with the real migrations; every test
then gets its own copy (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so
tests never share rows and append-only tables never need cleaning. A test that starts from
the demo plan gets a copy of a second template, the first with the demo loaded once (the
first time a test asks for it), rather than loading it again for each test.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from pathlib import Path

import psycopg
from flask import Flask
from flask_migrate import upgrade

from tests.support.postgres import ThrowawayPostgres
from tracker import create_app
from tracker.extensions import db
from tracker.plans.demo import load_demo_plan
from tracker.schema import enable_migrations

TEST_SECRET_KEY = "test-only-secret-key"
# A fixed Fernet key, so the suite's apps and the servers it starts read each other's rows.
TEST_ENCRYPTION_KEY = "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU="


def _app_for(url: str, instance_path: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": TEST_SECRET_KEY,
            "ENCRYPTION_KEYS": [TEST_ENCRYPTION_KEY],
        },
        instance_path=str(instance_path),
    )


def migrate_to_head(url: str, instance_path: Path) -> None:
    """Run every migration against the database at url."""
    app = _app_for(url, instance_path)
    enable_migrations(app)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def load_demo_into(url: str, instance_path: Path) -> None:
    """Load the demo plan into the (migrated, empty) database at url, as `seed-demo` does."""
    app = _app_for(url, instance_path)
    with app.app_context():
        assert load_demo_plan(db.session).loaded
        db.session.remove()
        db.engine.dispose()


class SqliteDatabases:
    name = "sqlite"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._numbers = itertools.count(1)
        self.template = workdir / "template.db"
        self.demo_template = workdir / "demo-template.db"
        migrate_to_head(self.url_for(self.template), workdir / "instance")

    def describe(self) -> str:
        return f"SQLite {sqlite3.sqlite_version}"

    @staticmethod
    def url_for(path: Path) -> str:
        return f"sqlite:///{path}"

    def _new_path(self) -> Path:
        return self.workdir / f"test-{next(self._numbers)}.db"

    def create_empty(self) -> str:
        return self.url_for(self._new_path())

    def create_migrated(self, with_demo: bool = False) -> str:
        path = self._new_path()
        if with_demo and not self.demo_template.exists():
            shutil.copyfile(self.template, path)
            load_demo_into(self.url_for(path), self.workdir / "instance")
            # Its connections are closed, so SQLite has written its WAL back into the file.
            assert not Path(f"{path}-wal").exists()
            path.rename(self.demo_template)
        shutil.copyfile(self.demo_template if with_demo else self.template, path)
        return self.url_for(path)

    def drop(self, url: str) -> None:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresDatabases:
    name = "postgresql"

    def __init__(self, workdir: Path) -> None:
        self.server = ThrowawayPostgres(in_memory=True)
        self.server.start()
        self._numbers = itertools.count(1)
        self._admin = psycopg.connect(self._plain(self.server.url()), autocommit=True)
        self._admin.execute("CREATE DATABASE tracker_template")
        migrate_to_head(self.server.url("tracker_template"), workdir / "instance")
        self._workdir = workdir
        self._demo_template_made = False
        # Copying the template's files is a third quicker than logging every page of it
        # (PostgreSQL 15's default), for a template this small and fsync off.
        self._copy_strategy = (
            " STRATEGY FILE_COPY" if self._admin.info.server_version >= 150000 else ""
        )

    def describe(self) -> str:
        version = self._admin.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {version[0] if version else self.server.version} (throwaway server)"

    @staticmethod
    def _plain(url: str) -> str:
        return url.replace("postgresql+psycopg://", "postgresql://")

    def create_empty(self) -> str:
        name = f"test_{next(self._numbers)}"
        self._admin.execute(f'CREATE DATABASE "{name}"')
        return self.server.url(name)

    def create_migrated(self, with_demo: bool = False) -> str:
        if with_demo and not self._demo_template_made:
            self._admin.execute("CREATE DATABASE tracker_demo_template TEMPLATE tracker_template")
            load_demo_into(self.server.url("tracker_demo_template"), self._workdir / "instance")
            self._demo_template_made = True
        template = "tracker_demo_template" if with_demo else "tracker_template"
        name = f"test_{next(self._numbers)}"
        self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE {template}{self._copy_strategy}')
        return self.server.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._admin.close()
        self.server.stop()


BACKENDS = {"sqlite": SqliteDatabases, "postgresql": PostgresDatabases}
