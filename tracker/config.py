"""Configuration read from the environment, with secrets kept out of the repository."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(Exception):
    """A setting is missing or malformed; the message is shown to the operator as is."""


class Config:
    """Settings shared by every environment."""

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, so long forms survive
    SERVICE_NAME = "Partnership action plan tracker"
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    # The largest thing anyone sends is a Word template (up to 5 MB); refuse anything far larger
    # before reading it.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # A save that finds another writer busy waits this long for it, then gets "busy, try again".
    DATABASE_BUSY_SECONDS = 5.0
    # Reminder e-mails: off until the environment names a sender (see reminder_settings_from).
    REMINDER_SENDER: str | None = None
    PUBLIC_URL = ""


class ProductionConfig(Config):
    """Served over HTTPS behind a reverse proxy."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SEND_HSTS = True


def normalise_database_url(raw: str) -> str:
    """Check DATABASE_URL and pick the psycopg 3 driver for PostgreSQL URLs."""
    try:
        url: URL = make_url(raw.strip())
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL is not a valid database URL "
            "(expected e.g. postgresql://user:password@host/dbname or sqlite:////path/to/file.db)"
        ) from None
    backend = url.get_backend_name()
    if backend in {"postgres", "postgresql"}:
        url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise ConfigError(
            f"DATABASE_URL uses '{url.drivername}', but only sqlite and postgresql are supported"
        )
    return url.render_as_string(hide_password=False)


def database_url_for_display(url: str) -> str:
    """The database URL with any password masked, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def load_or_create_secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    from_env = os.environ.get("SECRET_KEY", "").strip()
    if from_env:
        return from_env
    return _load_or_create_instance_file(instance_path, "secret_key", secrets.token_hex(32))


def load_encryption_keys(instance_path: str, production: bool) -> list[str]:
    """ENCRYPTION_KEYS (Fernet keys, newest first, comma-separated) from the environment; away
    from production, one generated once and kept in instance/ when none is given."""
    from cryptography.fernet import Fernet

    from_env = [key.strip() for key in os.environ.get("ENCRYPTION_KEYS", "").split(",")]
    keys = [key for key in from_env if key]
    if not keys:
        if production:
            raise ConfigError(
                "ENCRYPTION_KEYS is not set: it encrypts two-factor secrets in the database. "
                "Make one with: python3 -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            )
        keys = [
            _load_or_create_instance_file(
                instance_path, "encryption_key", Fernet.generate_key().decode()
            )
        ]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                f"ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 bytes, URL-safe base64: 44 characters ending in '=')"
            ) from None
    return keys


def _load_or_create_instance_file(instance_path: str, name: str, key: str) -> str:
    """The key kept in instance/<name>, written there first if there is none."""
    key_file = Path(instance_path) / name
    if key_file.exists():
        return key_file.read_text().strip()
    # Write the key in full to a private temporary file, then link it into place: linking
    # fails if the file exists, so two workers starting together agree on one complete key.
    fd, temporary = tempfile.mkstemp(dir=instance_path, prefix=f".{name}-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        os.link(temporary, key_file)
    except FileExistsError:
        return key_file.read_text().strip()
    finally:
        os.unlink(temporary)
    return key


KNOWN_ROLES = ("admin", "coordinator", "lead", "viewer")


def parse_role_list(text: str) -> frozenset[str]:
    """A comma-separated list of roles ('none' or empty for none); a typo is an error, since
    silently dropping a role would silently drop its two-factor requirement."""
    names = {name.strip().lower() for name in text.split(",") if name.strip()} - {"none"}
    unknown = sorted(names - set(KNOWN_ROLES))
    if unknown:
        raise ConfigError(
            f"TWO_FACTOR_REQUIRED_ROLES: unknown role {', '.join(unknown)} "
            f"(use {', '.join(KNOWN_ROLES)}, or none)"
        )
    return frozenset(names)


def config_from_environment(instance_path: str) -> dict[str, object]:
    """The settings that come from environment variables."""
    default_sqlite = "sqlite:///" + str(Path(instance_path) / "tracker.db")
    settings: dict[str, object] = {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_sqlite
        ),
    }
    two_factor_roles = os.environ.get("TWO_FACTOR_REQUIRED_ROLES")
    if two_factor_roles is not None:
        settings["TWO_FACTOR_REQUIRED_ROLES"] = parse_role_list(two_factor_roles)
    idle = os.environ.get("SESSION_IDLE_MINUTES", "").strip()
    if idle:
        if not idle.isdigit() or int(idle) < 1:
            raise ConfigError("SESSION_IDLE_MINUTES must be a whole number of minutes, 1 or more")
        settings["SESSION_IDLE_MINUTES"] = int(idle)
    busy = os.environ.get("DATABASE_BUSY_SECONDS", "").strip()
    if busy:
        try:
            settings["DATABASE_BUSY_SECONDS"] = float(busy)
        except ValueError:
            raise ConfigError("DATABASE_BUSY_SECONDS must be a number of seconds") from None
        if not 0 < float(busy) <= 60:
            raise ConfigError("DATABASE_BUSY_SECONDS must be more than 0 and at most 60")
    if os.environ.get("SESSION_COOKIE_SECURE"):
        settings["SESSION_COOKIE_SECURE"] = os.environ["SESSION_COOKIE_SECURE"] == "1"
    settings.update(reminder_settings_from(os.environ))
    return settings


NOTIFY_TEMPLATE_VARIABLES = {
    "before_due": "NOTIFY_TEMPLATE_BEFORE_DUE",
    "due_today": "NOTIFY_TEMPLATE_DUE_TODAY",
    "overdue": "NOTIFY_TEMPLATE_OVERDUE",
}
DEFAULT_SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def reminder_settings_from(environ: Mapping[str, str]) -> dict[str, object]:
    """How reminder e-mails go: REMINDER_SENDER (smtp or notify; by default whichever of
    SMTP_HOST and NOTIFY_API_KEY is set) and that sender's settings, checked now so that a
    mistake stops the server with one clear line rather than failing every send later."""

    def get(name: str) -> str:
        return environ.get(name, "").strip()

    kind = get("REMINDER_SENDER").lower()
    if not kind:
        kind = "notify" if get("NOTIFY_API_KEY") else "smtp" if get("SMTP_HOST") else ""
    if kind not in {"", "smtp", "notify"}:
        raise ConfigError("REMINDER_SENDER must be smtp or notify")
    settings: dict[str, object] = {"REMINDER_SENDER": kind or None}
    public_url = get("PUBLIC_URL").rstrip("/")
    if public_url and not re.match(r"^https?://[^/\s]+", public_url):
        raise ConfigError(
            "PUBLIC_URL must be the tracker's address, like https://tracker.example.org"
        )
    settings["PUBLIC_URL"] = public_url
    if kind == "smtp":
        settings.update(_smtp_settings(get))
    elif kind == "notify":
        settings.update(_notify_settings(get))
    return settings


def _smtp_settings(get: Callable[[str], str]) -> dict[str, object]:
    host = get("SMTP_HOST")
    if not host:
        raise ConfigError("REMINDER_SENDER is smtp, but SMTP_HOST (the mail relay) is not set")
    security = get("SMTP_SECURITY").lower() or "starttls"
    if security not in DEFAULT_SMTP_PORTS:
        raise ConfigError("SMTP_SECURITY must be starttls, ssl or none")
    port_text = get("SMTP_PORT")
    if port_text and (not port_text.isdigit() or not 0 < int(port_text) < 65536):
        raise ConfigError("SMTP_PORT must be a port number, such as 587")
    from_address = get("MAIL_FROM")
    if "@" not in from_address:
        raise ConfigError(
            "MAIL_FROM must be the address reminders come from, like tracker@example.org"
        )
    username, password = get("SMTP_USERNAME"), get("SMTP_PASSWORD")
    if username and not password:
        raise ConfigError("SMTP_USERNAME is set but SMTP_PASSWORD is not")
    return {
        "SMTP_HOST": host,
        "SMTP_PORT": int(port_text) if port_text else DEFAULT_SMTP_PORTS[security],
        "SMTP_SECURITY": security,
        "SMTP_USERNAME": username,
        "SMTP_PASSWORD": password,
        "MAIL_FROM": from_address,
    }


def _notify_settings(get: Callable[[str], str]) -> dict[str, object]:
    api_key = get("NOTIFY_API_KEY")
    # A Notify key is "name-<service id>-<secret>", the last two UUIDs.
    if len(api_key) < 74 or not UUID.match(api_key[-73:-37]) or not UUID.match(api_key[-36:]):
        raise ConfigError(
            "NOTIFY_API_KEY is missing or not a GOV.UK Notify API key "
            "(it ends in two long ids: copy it whole from Notify's API integration page)"
        )
    templates = {}
    for stage, variable in NOTIFY_TEMPLATE_VARIABLES.items():
        template_id = get(variable).lower()
        if not UUID.match(template_id):
            raise ConfigError(f"{variable} must be the id of a GOV.UK Notify e-mail template")
        templates[stage] = template_id
    base_url = get("NOTIFY_BASE_URL").rstrip("/")
    if base_url and not re.match(r"^https?://", base_url):
        raise ConfigError("NOTIFY_BASE_URL must start with https://")
    return {
        "NOTIFY_API_KEY": api_key,
        "NOTIFY_TEMPLATE_IDS": templates,
        "NOTIFY_BASE_URL": base_url,
    }
