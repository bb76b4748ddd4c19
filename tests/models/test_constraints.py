"""The database itself refuses data that breaks the plan's rules, whoever writes it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_update,
    make_user,
)
from tracker.models import Update


def insert_update_sql(
    session, action_id: int, author_id: int, rag: str, progress_text: str
) -> None:
    session.execute(
        text(
            "INSERT INTO action_update (action_id, author_id, rag, progress_text, recorded_at) "
            "VALUES (:action, :author, :rag, :progress, CURRENT_TIMESTAMP)"
        ),
        {"action": action_id, "author": author_id, "rag": rag, "progress": progress_text},
    )


def test_database_rejects_unknown_rag_value(session):
    action, author = make_action(session), make_user(session)
    with pytest.raises(IntegrityError, match="rag_known"):
        insert_update_sql(session, action.id, author.id, "purple", "Going fine")


def test_model_rejects_unknown_rag_value(session):
    with pytest.raises(ValueError, match="Unknown status 'purple'"):
        Update(rag="purple")


def test_database_accepts_each_known_rag_value(session):
    action, author = make_action(session), make_user(session)
    # Every status of every plan's scale: red/amber/green, BRAG's blue, the five-point scale.
    statuses = ("red", "amber_red", "amber", "amber_green", "green", "blue")
    for rag in statuses:
        insert_update_sql(session, action.id, author.id, rag, f"Now {rag}")
    assert session.scalar(text("SELECT count(*) FROM action_update")) == len(statuses)


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_database_rejects_update_without_text(session, blank):
    action, author = make_action(session), make_user(session)
    with pytest.raises(IntegrityError, match="progress_text_not_blank"):
        insert_update_sql(session, action.id, author.id, "green", blank)


def test_model_rejects_update_without_text(session):
    with pytest.raises(ValueError, match="needs progress text"):
        Update(rag="green", progress_text="   ")


def test_database_rejects_duplicate_priority_name_in_one_version(session):
    version = make_plan_version(session)
    make_priority(session, plan_version=version, name="Road Safety")
    with pytest.raises(IntegrityError):
        make_priority(session, plan_version=version, name="Road Safety")


def test_same_priority_name_allowed_in_another_version(session):
    first = make_plan_version(session)
    second = make_plan_version(
        session, plan=first.plan, version_number=2, label="2027/28", is_current=False
    )
    make_priority(session, plan_version=first, name="Road Safety")
    make_priority(session, plan_version=second, name="Road Safety")
    assert session.scalar(text("SELECT count(*) FROM priority WHERE name = 'Road Safety'")) == 2


def test_only_one_current_version_per_plan(session):
    first = make_plan_version(session)
    with pytest.raises(IntegrityError):
        make_plan_version(
            session, plan=first.plan, version_number=2, label="2027/28", is_current=True
        )


def test_only_one_open_period_per_plan_version(session):
    version = make_plan_version(session)
    make_period(session, plan_version=version, name="Q1", is_open=True)
    make_period(session, plan_version=version, name="Q2", is_open=False)
    with pytest.raises(IntegrityError):
        make_period(session, plan_version=version, name="Q3", is_open=True)


def test_action_target_date_cannot_precede_start(session):
    from datetime import date

    with pytest.raises(IntegrityError, match="target_not_before_start"):
        make_action(session, start_date=date(2026, 6, 1), target_date=date(2026, 5, 1))


def test_foreign_keys_are_enforced(session):
    author = make_user(session)
    with pytest.raises(IntegrityError):
        insert_update_sql(session, 999_999, author.id, "green", "For an action that does not exist")


def test_database_rejects_unknown_role(session):
    with pytest.raises(IntegrityError, match="role_known"):
        make_user(session, role="superuser")


def test_email_is_stored_in_lower_case(session):
    user = make_user(session, email="  Mixed.Case@Example.ORG ")
    assert session.scalar(
        text("SELECT email FROM user_account WHERE id = :id"), {"id": user.id}
    ) == ("mixed.case@example.org")


def test_update_records_its_author_and_time(session):
    update = make_update(session)
    session.commit()
    session.expire_all()
    stored = session.get(Update, update.id)
    assert stored.author.name.startswith("Test User")
    assert stored.recorded_at.tzinfo is not None
