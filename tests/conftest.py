"""Fixtures shared by the whole suite.

Tests that use the `app` fixture (or anything built on it) run once per database backend:
SQLite and a throwaway PostgreSQL by default; `--databases=sqlite` narrows it for a quick run.
"""

from __future__ import annotations

import contextvars
import functools
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from argon2 import PasswordHasher
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.support.databases import BACKENDS, TEST_ENCRYPTION_KEY, TEST_SECRET_KEY
from tests.support.shared_compilation import (
    COMPILED_TEMPLATES,
    share_sql_compilation,
    share_url_builders,
)
from tracker import create_app
from tracker.auth import passwords
from tracker.auth.passwords import hash_password
from tracker.extensions import db

_tested_on: Counter[str] = Counter()
_described: dict[str, str] = {}


# The SMTP relay fixture (aiosmtpd on loopback) for reminder tests, browser ones included.
pytest_plugins = ["tests.support.mail"]

# argon2 at production cost takes tens of milliseconds per hash or sign-in, and the suite
# signs in hundreds of times; its passwords are hashed (and so checked) with
# argon2's cheapest setting instead. The tests of hashing itself ask for the real one with
# the `production_password_hashing` fixture. Apps the suite starts in other processes
# (gunicorn, the command line) keep production hashing.
CHEAP_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def pytest_configure(config: pytest.Config) -> None:
    passwords._hasher = CHEAP_PASSWORD_HASHER
    share_url_builders()


@pytest.fixture
def production_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", passwords.PRODUCTION_HASHER)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--databases",
        default="sqlite,postgresql",
        help="comma-separated database backends to run database tests on (sqlite, postgresql)",
    )


def selected_backends(config: pytest.Config) -> list[str]:
    names = [name.strip() for name in config.getoption("databases").split(",") if name.strip()]
    unknown = sorted(set(names) - set(BACKENDS))
    if unknown:
        raise pytest.UsageError(f"--databases: unknown backend(s) {', '.join(unknown)}")
    return names


def pytest_report_header(config: pytest.Config) -> str:
    return "databases under test: " + ", ".join(selected_backends(config))


BROWSER_TESTS = Path(__file__).parent / "browser"


def one_of(backends: list[str]) -> list[str]:
    """The one database a test that is not about the database runs on: PostgreSQL,
    production's, when selected.

    A browser test is about the page in Chromium (focus, htmx swaps, axe), and a
    `one_database` test about how a file is laid out (PDF pages, Word tables); every route and
    query they rely on is also tested on both databases. Once each halves the suite's
    slowest parts.
    """
    return ["postgresql"] if "postgresql" in backends else backends[:1]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "databases" in metafunc.fixturenames:
        backends = selected_backends(metafunc.config)
        marker = metafunc.definition.get_closest_marker("backends")
        if marker is not None:  # a test about one database's own behaviour
            backends = [name for name in backends if name in marker.args]
        elif metafunc.definition.get_closest_marker("one_database") or Path(
            metafunc.definition.path
        ).is_relative_to(BROWSER_TESTS):
            backends = one_of(backends)
        metafunc.parametrize("databases", backends, indirect=True, scope="session")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    callspec = getattr(item, "callspec", None)
    if report.when == "call" and report.passed and callspec and "databases" in callspec.params:
        _tested_on[callspec.params["databases"]] += 1
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its counts to the controller, which prints the summary."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["tested_on"] = dict(_tested_on)
        workeroutput["described"] = dict(_described)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the controller: add up what each worker ran on each database."""
    output = getattr(node, "workeroutput", {})
    _tested_on.update(output.get("tested_on", {}))
    _described.update(output.get("described", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _tested_on:
        return
    terminalreporter.section("databases tested")
    for name in BACKENDS:
        if name in _tested_on:
            label = _described.get(name, name)
            terminalreporter.write_line(f"{label}: {_tested_on[name]} tests passed")


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The backend's database factory: one server and one migrated template per run."""
    backend = BACKENDS[request.param](tmp_path_factory.mktemp(request.param))
    _described[backend.name] = backend.describe()
    yield backend
    backend.close()


class IsolatedClient(FlaskClient):
    """A test client whose requests never share the test's own app context.

    Tests hold an app context for their database session; a request made inside it would
    reuse it, and `g` (where Flask-Login and Flask-WTF cache per-request state) would leak
    from one request to the next. Each request runs in an empty context instead, as in a server.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(database_url: str, instance_path: Path, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "ENCRYPTION_KEYS": [TEST_ENCRYPTION_KEY],
        **overrides,
    }
    application = create_app(config, instance_path=str(instance_path))
    application.test_client_class = IsolatedClient
    application.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    with application.app_context():
        share_sql_compilation(db.engine)
    return application


@pytest.fixture
def database_url(databases, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, fully migrated database of its own for this test, with the demo plan in it
    when the test asks for `demo_plan`."""
    url = databases.create_migrated(with_demo="demo_plan" in request.fixturenames)
    yield url
    databases.drop(url)


@pytest.fixture
def demo_plan() -> None:
    """The test starts from the demo plan, as `seed-demo` loads it into an empty database
    (a demo database: two-factor relaxed). Its database is a copy of one the demo was
    loaded into once per run and backend: loading it takes longer than most tests."""


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = make_app(database_url, tmp_path / "instance")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The app's database session, inside an app context."""
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def run_cli(app: Flask, args: list[str]) -> Result:
    """A CLI command as an operator runs it: in an app context of its own, not the one the
    test holds for its session (which is another app's when the test made a second one)."""
    return contextvars.Context().run(app.test_cli_runner().invoke, args=args)


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token a page's form carries, as a browser would submit it."""
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def form_value(html: str, name: str) -> str:
    """The value of a named input in a page, such as a hidden version field."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"page has no {name} field"
    return match.group(1)


def queries_for(app: Flask, client: FlaskClient, url: str, *, kept: bool = False) -> int:
    """How many SQL statements one successful GET of the page runs: computing it afresh,
    unless kept is True (then whatever the roll-up cache holds is used)."""
    from tracker.dashboard.cache import forget_everything

    if not kept:
        forget_everything()
    statements: list[str] = []

    def count(*_args: object) -> None:
        statements.append("")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def sign_in(client: FlaskClient, email: str, password: str, totp_secret: str | None = None):
    """Sign in through the real form, CSRF token included, and the code step if asked."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )
    location = response.headers.get("Location", "")
    if totp_secret and location.startswith("/login/code"):
        page = client.get(location)
        response = client.post(
            location,
            data={
                "code": pyotp.TOTP(totp_secret).now(),
                "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            },
        )
    return response


@pytest.fixture(autouse=True)
def _nothing_kept_from_another_test() -> None:
    """Each worker keeps roll-ups and lists under a plan's change stamp, and every
    test that starts from the demo plan starts from the same stamp: forget what an earlier
    test of this process kept, as a server starting on this database would have nothing."""
    from tracker.dashboard.cache import forget_everything

    forget_everything()


@pytest.fixture(autouse=True)
def _hash_demo_password_once(monkeypatch):
    """argon2 is slow by design; demo users share a password, so tests hash it once a run."""
    from tracker.plans import demo

    monkeypatch.setattr(demo, "hash_password", _cached_hash)


@functools.cache
def _cached_hash(password: str) -> str:
    return hash_password(password)


def client_signed_in_as(app: Flask, email: str) -> FlaskClient:
    """A fresh client signed in as an existing user with TEST_PASSWORD (and their two-factor
    code when they have enrolled)."""
    from sqlalchemy import select

    from tests.support.factories import TEST_PASSWORD
    from tracker.models import User

    client = app.test_client()
    with app.app_context():
        secret = db.session.scalar(select(User.totp_secret).where(User.email == email))
    assert sign_in(client, email, TEST_PASSWORD, secret).status_code == 302
    assert client.get("/account").status_code == 200, "signed in all the way"
    return client
