"""create_app(): configuration from the environment, secrets, security headers."""

from __future__ import annotations

import multiprocessing
import re
import stat
from concurrent.futures import ProcessPoolExecutor

import pytest
from cryptography.fernet import Fernet

from tracker import ConfigError, create_app
from tracker.config import load_or_create_secret_key, normalise_database_url


@pytest.fixture
def clean_environment(monkeypatch):
    for name in (
        "DATABASE_URL",
        "SECRET_KEY",
        "TRACKER_ENV",
        "SESSION_COOKIE_SECURE",
        "TWO_FACTOR_REQUIRED_ROLES",
        "SESSION_IDLE_MINUTES",
        "ENCRYPTION_KEYS",
    ):
        monkeypatch.delenv(name, raising=False)


def test_default_database_is_sqlite_file_in_instance_folder(clean_environment, tmp_path):
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/tracker.db"
    assert (tmp_path / "tracker.db").exists()


def test_secret_key_generated_once_and_kept_private(clean_environment, tmp_path):
    first = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    second = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text()
    assert len(first) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_workers_starting_together_agree_on_one_secret_key(clean_environment, tmp_path):
    # gunicorn starts its workers at once; each must end up with the same, complete key.
    with ProcessPoolExecutor(
        max_workers=6, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        keys = set(pool.map(load_or_create_secret_key, [str(tmp_path)] * 12))
    assert keys == {(tmp_path / "secret_key").read_text()}
    assert len(next(iter(keys))) == 64
    assert sorted(path.name for path in tmp_path.iterdir()) == ["secret_key"], (
        "no temporary files left"
    )


def test_secret_key_from_environment_wins(clean_environment, monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app(instance_path=str(tmp_path)).config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    "given",
    ["postgres://u:p@db.internal/tracker", "postgresql://u:p@db.internal/tracker"],
)
def test_postgresql_urls_use_psycopg3(given):
    assert normalise_database_url(given) == "postgresql+psycopg://u:p@db.internal/tracker"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("not a url", "DATABASE_URL is not a valid database URL"),
        ("mysql://u@host/db", "only sqlite and postgresql are supported"),
    ],
)
def test_bad_database_url_gives_clear_error(
    clean_environment, monkeypatch, tmp_path, given, message
):
    monkeypatch.setenv("DATABASE_URL", given)
    with pytest.raises(ConfigError, match=message):
        create_app(instance_path=str(tmp_path))


def test_unreachable_database_gives_clear_error_without_password(
    clean_environment, monkeypatch, tmp_path
):
    monkeypatch.setenv("DATABASE_URL", "postgresql://tracker:hunter2hunter2@127.0.0.1:1/tracker")
    with pytest.raises(ConfigError, match="cannot connect to the database") as raised:
        create_app(instance_path=str(tmp_path))
    assert "hunter2" not in str(raised.value)


def test_two_factor_roles_setting_is_checked_at_start_up(clean_environment, monkeypatch, tmp_path):
    monkeypatch.setenv("TWO_FACTOR_REQUIRED_ROLES", "admin, Lead")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["TWO_FACTOR_REQUIRED_ROLES"] == {"admin", "lead"}
    monkeypatch.setenv("TWO_FACTOR_REQUIRED_ROLES", "admins")
    with pytest.raises(ConfigError, match="unknown role admins"):
        create_app(instance_path=str(tmp_path))
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "soon")
    monkeypatch.setenv("TWO_FACTOR_REQUIRED_ROLES", "none")
    with pytest.raises(ConfigError, match="SESSION_IDLE_MINUTES"):
        create_app(instance_path=str(tmp_path))


def test_production_config_marks_session_cookie_secure(clean_environment, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("ENCRYPTION_KEYS", Fernet.generate_key().decode())
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session="), "a cookie no subdomain or plain page can set"
    assert "Secure" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie


def test_production_refuses_to_start_without_an_encryption_key(
    clean_environment, monkeypatch, tmp_path
):
    monkeypatch.setenv("TRACKER_ENV", "production")
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS is not set"):
        create_app(instance_path=str(tmp_path))
    monkeypatch.setenv("ENCRYPTION_KEYS", "not-a-key")
    with pytest.raises(ConfigError, match="key 1 is not a Fernet key"):
        create_app(instance_path=str(tmp_path))


def test_away_from_production_an_encryption_key_is_made_once_and_kept(clean_environment, tmp_path):
    first = create_app(instance_path=str(tmp_path)).config["ENCRYPTION_KEYS"]
    again = create_app(instance_path=str(tmp_path)).config["ENCRYPTION_KEYS"]
    assert first == again == [(tmp_path / "encryption_key").read_text()]


def test_pages_and_downloads_are_never_cached_but_static_files_are(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert client.get("/plans").headers["Cache-Control"] == "no-store", "even a redirect"
    static = client.get("/static/css/tracker.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script_or_style(client):
    html = client.get("/login").get_data(as_text=True)
    script_tags = re.findall(r"<script\b[^>]*>", html)
    assert script_tags, "the page loads its scripts"
    assert all(" src=" in tag for tag in script_tags)
    assert "<style" not in html
    assert " style=" not in html
