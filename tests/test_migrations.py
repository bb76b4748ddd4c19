"""The migrations build the whole schema, undo it cleanly, and agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import make_app
from tracker.extensions import db

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
