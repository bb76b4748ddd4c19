"""Action-plan tracker for multi-agency partnerships."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, flash, make_response, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.arguments import RecordIdConverter, refuse_nul_characters
from tracker.auth.access import enforce_access_rule
from tracker.auth.sessions import expire_stale_session
from tracker.config import (
    Config,
    ConfigError,
    ProductionConfig,
    config_from_environment,
    load_encryption_keys,
    load_or_create_secret_key,
)
from tracker.database import (
    check_database_reachable,
    database_is_unavailable,
    engine_options_for,
)
from tracker.extensions import csrf, db, login_manager
from tracker.extensions import htmx as htmx_extension  # tracker.htmx is the helper module
from tracker.plans.scope import enter_plan_from_address, init_plan_scope
from tracker.plans.versions import VersionReadOnly
from tracker.schema import migration_commands
from tracker.security import init_security

PROJECT_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["ConfigError", "create_app", "settle_for_serving"]


def settle_for_serving() -> None:
    """Once the app is built, before the first request: what start-up made lives as long as
    the process, so freeze it out of the garbage collector's full collections. Without it,
    a request that builds thousands of rows (a whole plan's CSV, a long drill-down) triggers
    several of them, each walking every object of the app again: at 10,000 actions the larger
    pages' slowest answers took twice as long. (Python's gc.freeze documentation
    suggests it for servers that fork workers.)"""
    gc.collect()
    gc.freeze()


def create_app(
    test_config: Mapping[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build the application: config, extensions, blueprints, CLI and security hooks."""
    app = Flask(
        __name__,
        instance_path=instance_path or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)

    production = os.environ.get("TRACKER_ENV") == "production"
    app.config.from_object(ProductionConfig if production else Config)
    if test_config is None or "SQLALCHEMY_DATABASE_URI" not in test_config:
        app.config.update(config_from_environment(app.instance_path))
    if test_config is not None:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)
    if not app.config.get("ENCRYPTION_KEYS"):
        app.config["ENCRYPTION_KEYS"] = load_encryption_keys(app.instance_path, production)
    if app.config["SESSION_COOKIE_SECURE"]:
        # Browsers only accept a __Host- cookie sent over HTTPS for this exact host and path:
        # no subdomain and no plain-HTTP page can set or overwrite the session.
        if app.config["SESSION_COOKIE_NAME"] == "session":
            app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_PATH"] = "/"
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options_for(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATABASE_BUSY_SECONDS"]
    )
    if production:
        # One reverse proxy in front: trust its X-Forwarded-For/-Proto, no more.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]

    app.url_map.converters["int"] = RecordIdConverter  # before any route is added
    _init_templates(app)
    _init_extensions(app)
    init_plan_scope(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_error_handlers(app)
    init_security(app)
    app.before_request(refuse_nul_characters)
    # Order matters: a stale session is ended before the access rule looks at who is signed in.
    app.before_request(expire_stale_session)
    app.before_request(enforce_access_rule)
    app.before_request(enter_plan_from_address)

    if app.config.get("CHECK_DATABASE_ON_START", True):
        check_database_reachable(app)
    return app


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    @app.context_processor
    def shared_context() -> dict[str, Any]:
        from tracker.auth.two_factor import demo_relaxes_two_factor

        return {
            "service_name": app.config["SERVICE_NAME"],
            # A callable, so the database is only asked on the pages that show the notice.
            "demo_two_factor_relaxed": lambda: demo_relaxes_two_factor(db.session),
        }


def _init_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (registers the models with the metadata)
    from tracker.changes import stamp_plan_changes

    db.init_app(app)
    stamp_plan_changes()
    app.cli.add_command(migration_commands)
    csrf.init_app(app)
    htmx_extension.init_app(app)
    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from tracker.actions.views import bp as actions_bp
    from tracker.admin.views import bp as admin_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.dashboard.views import bp as dashboard_bp
    from tracker.grants.views import bp as grants_bp
    from tracker.imports.views import bp as imports_bp
    from tracker.periods.views import bp as periods_bp
    from tracker.plans.legacy import bp as legacy_bp
    from tracker.plans.views import bp as plans_bp
    from tracker.priorities.views import bp as priorities_bp
    from tracker.refresh.views import bp as refresh_bp
    from tracker.reminders.views import bp as reminders_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.signoff.views import bp as signoff_bp
    from tracker.structure.views import bp as structure_bp

    for blueprint in (
        auth_bp,
        plans_bp,
        priorities_bp,
        actions_bp,
        dashboard_bp,
        periods_bp,
        reminders_bp,
        signoff_bp,
        reports_bp,
        admin_bp,
        structure_bp,
        imports_bp,
        grants_bp,
        refresh_bp,
        legacy_bp,
    ):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from tracker.auth.cli import (
        create_user_command,
        reset_password_command,
        rotate_encryption_keys_command,
    )
    from tracker.backup import backup_command, restore_command
    from tracker.imports.cli import import_plan_command
    from tracker.plans.cli import seed_demo_command
    from tracker.reminders.cli import send_reminders_command
    from tracker.reports.cli import export_command

    for command in (
        seed_demo_command,
        create_user_command,
        reset_password_command,
        rotate_encryption_keys_command,
        export_command,
        import_plan_command,
        backup_command,
        restore_command,
        send_reminders_command,
    ):
        app.cli.add_command(command)
    try:
        # bench/ ships with the source tree, not with an installed wheel.
        from bench.generate import bench_data_command
    except ModuleNotFoundError:
        return
    app.cli.add_command(bench_data_command)


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> Response:
        response = make_response(render_template("errors/csrf.html", reason=error.description), 400)
        if request.headers.get("HX-Request"):
            # The page's token is stale (the session ended): nothing was saved, so reload the
            # page, or go to sign-in and back. Text being typed is kept by drafts.js.
            if current_user.is_authenticated:
                response.headers["HX-Refresh"] = "true"
            else:
                response.headers["HX-Redirect"] = url_for("auth.login", next=_page_path())
        return response

    def _page_path() -> str:
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        return (page.path or "/") + (f"?{page.query}" if page.query else "")

    @app.errorhandler(VersionReadOnly)
    def version_read_only(error: VersionReadOnly) -> Response:
        db.session.rollback()
        if request.headers.get("HX-Request"):
            # A page left open since the refresh: reload it, read-only now, with the reason.
            flash(str(error), "error")
            response = make_response("", 409)
            response.headers["HX-Refresh"] = "true"
            return response
        page = render_template("errors/read_only.html", reason=str(error), version=error.version)
        return make_response(page, 409)

    @app.errorhandler(403)
    def forbidden(error: Exception) -> tuple[str, int]:
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error: NotFound) -> tuple[str, int]:
        return render_template("errors/404.html", reason=_own_description(error)), 404

    @app.errorhandler(400)
    @app.errorhandler(405)
    def bad_request(error: HTTPException) -> tuple[str, int]:
        status = error.code or 400
        return render_template("errors/refused.html", reason=_own_description(error)), status

    def _own_description(error: HTTPException) -> str | None:
        """The message a view gave with abort(), not Werkzeug's generic one."""
        return error.description if error.description != type(error).description else None

    @app.errorhandler(OperationalError)
    @app.errorhandler(SQLAlchemyTimeoutError)
    def database_unavailable(error: Exception) -> tuple[str, int, dict[str, str]]:
        # Locked (SQLite waited its busy timeout) or unreachable: the transaction is gone, so
        # nothing was saved. The page is drawn without asking the database anything.
        if not database_is_unavailable(error):
            raise error  # a fault of ours (SQLite reports "no such table" the same way): a 500
        app.logger.warning("database unavailable: %s", str(error).splitlines()[0])
        with contextlib.suppress(SQLAlchemyError):  # the connection itself may be gone
            db.session.rollback()
        return _render_without_database("errors/503.html"), 503, {"Retry-After": "5"}

    @app.errorhandler(500)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        with contextlib.suppress(SQLAlchemyError):  # the connection itself may be gone
            db.session.rollback()
        return _render_without_database("errors/500.html"), 500

    def _render_without_database(template: str) -> str:
        # Not render_template: its context processors ask the database who is signed in.
        return app.jinja_env.get_template(template).render(
            without_database=True, service_name=app.config["SERVICE_NAME"]
        )

    @app.errorhandler(413)
    def too_large(error: Exception) -> tuple[str, int]:
        return render_template("errors/413.html"), 413
