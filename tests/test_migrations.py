"""The migrations build the whole schema, undo it cleanly, and agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import make_app, run_cli
from tracker.extensions import db
from tracker.schema import enable_migrations

EXPECTED_TABLES = {
    "organisation",
    "user_account",
    "plan",
    "plan_version",
    "priority",
    "theme",
    "action",
    "action_theme",
    "action_partner",
    "action_responsible_user",
    "priority_lead",
    "action_update",
    "reporting_period",
    "indicator",
    "indicator_value",
    "priority_narrative",
    "report",
    "grant_pot",
    "grant_project",
    "grant_project_priority",
    "word_template",
    "pending_import",
    "audit_event",
    "recovery_code",
    "sign_in_attempt",
    "priority_predecessor",
    "theme_predecessor",
    "refresh_decision",
    "refresh_decision_theme",
    "site_setting",
    "reminder",
    "update_review",
}


@pytest.fixture
def empty_app(databases, tmp_path):
    url = databases.create_empty()
    app = make_app(url, tmp_path / "instance")
    enable_migrations(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop(url)


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(empty_app):
    with empty_app.app_context():
        upgrade()
        assert table_names() == EXPECTED_TABLES
        downgrade(revision="base")
        assert table_names() == set()
        upgrade()
        assert table_names() == EXPECTED_TABLES


def test_flask_db_upgrade_on_the_command_line_builds_the_schema(databases, tmp_path):
    # As `make run` and an operator migrate: the app as served, with no migrations bound.
    url = databases.create_empty()
    app = make_app(url, tmp_path / "instance")
    try:
        assert "migrate" not in app.extensions
        result = run_cli(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            assert table_names() == EXPECTED_TABLES
        listed = run_cli(app, ["db", "--help"])
        assert listed.exit_code == 0
        assert "upgrade" in listed.output and "downgrade" in listed.output
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(url)


def test_models_match_migrated_schema(app):
    """A model change without a migration fails here, not in production."""
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_account_security_migration_keeps_existing_users_and_gives_them_session_tokens(empty_app):
    from sqlalchemy import text

    with empty_app.app_context():
        upgrade(revision="5cc31111f768")  # the initial schema, before session tokens
        with db.engine.begin() as connection:
            for email in ("first@example.org", "second@example.org"):
                connection.execute(
                    text(
                        "INSERT INTO user_account (email, name, role, active, created_at) "
                        "VALUES (:email, 'Someone', 'viewer', true, CURRENT_TIMESTAMP)"
                    ),
                    {"email": email},
                )
        upgrade()
        with db.engine.connect() as connection:
            tokens = (
                connection.execute(text("SELECT session_token FROM user_account")).scalars().all()
            )
        assert (
            len(tokens) == 2 and len(set(tokens)) == 2 and all(len(token) >= 32 for token in tokens)
        )
        downgrade(revision="5cc31111f768")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM user_account")).scalar() == 2


def test_report_structure_migration_keeps_each_reports_former_shape(empty_app):
    """A report written before sections could hold generated blocks reads as it did: its
    sections, then the action plan progress, then Appendix A; each contact line is kept."""
    import json

    from sqlalchemy import text

    with empty_app.app_context():
        upgrade(revision="3e8b6d1f7c25")  # sign-off and status scales, before this change
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO plan (id, name, description, created_at) "
                "VALUES (1, 'District plan', '', CURRENT_TIMESTAMP)",
                "INSERT INTO plan_version (id, plan_id, version_number, label, effective_from,"
                " change_log, is_current) VALUES (1, 1, 1, '2026/27', '2026-04-01', '', true)",
                "INSERT INTO reporting_period (id, plan_version_id, name, start_date, end_date,"
                " is_open) VALUES (1, 1, 'Q1', '2026-04-01', '2026-06-30', true)",
            ):
                connection.execute(text(statement))
            connection.execute(
                text(
                    "INSERT INTO report (id, period_id, status, authors, meeting, classification,"
                    " subject, summary, sections, recommendations, contacts, created_at,"
                    " updated_at, withdrawn_reason, version) VALUES (1, 1, 'draft', '[]', '',"
                    " 'For Information', 'Update', '', :sections, '', :contacts,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '', 1)"
                ),
                {
                    "sections": json.dumps([{"heading": "Background", "body": "Some text."}]),
                    "contacts": "Sam Patel, Head of Community Safety\n\nsam.patel@example.org",
                },
            )
        upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(
                text("SELECT sections, contact_people, appendices, attachments FROM report")
            ).one()
        sections, people, appendices = (
            json.loads(value) if isinstance(value, str) else value for value in row[:3]
        )
        assert [(s["heading"], s["block"]) for s in sections] == [
            ("Background", ""),
            ("Action plan progress", "rag_summary"),
            ("What moved", "what_moved"),
            ("Changes to the agreement", "agreement_changes"),
        ]
        assert sections[0]["body"] == "Some text."
        assert [person["name"] for person in people] == [
            "Sam Patel, Head of Community Safety",
            "sam.patel@example.org",
        ]
        assert appendices == [
            {"title": "Action plan and performance summary", "intro": "", "block": "action_plan"}
        ]
        assert row[3] == ""
        downgrade(revision="3e8b6d1f7c25")
        with db.engine.connect() as connection:
            contacts = connection.execute(text("SELECT contacts FROM report")).scalar()
        assert contacts == "Sam Patel, Head of Community Safety\nsam.patel@example.org"
