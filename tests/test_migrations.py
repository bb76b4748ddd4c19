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
    "audit_event",
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
