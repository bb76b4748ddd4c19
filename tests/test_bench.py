"""The benchmark data generator fills an empty database quickly and leaves it usable."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.support.factories import make_update
from tracker.models import (
    Action,
    Indicator,
    IndicatorValue,
    Plan,
    PlanVersion,
    Priority,
    PriorityNarrative,
    ReportingPeriod,
    Update,
)
from tracker.plans.services import action_statuses, current_version


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_bench_data_generates_the_requested_volume(app, session):
    result = app.test_cli_runner().invoke(
        args=[
            "bench-data",
            "--actions",
            "40",
            "--updates-per-action",
            "3",
            "--plans",
            "2",
            "--versions-per-plan",
            "2",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "40 actions, 120 updates" in result.output
    assert count(session, Plan) == 2
    assert count(session, PlanVersion) == 4
    assert count(session, Priority) == 4 * 7
    assert count(session, Action) == 40
    assert count(session, Update) == 120
    # What the board report shows besides actions: context and indicators for every period.
    assert count(session, Indicator) == 4 * 7 * 2
    assert count(session, PriorityNarrative) == 4 * 7 * count(session, ReportingPeriod) // 4
    assert count(session, IndicatorValue) == count(session, Indicator) * (
        count(session, ReportingPeriod) // 4
    )
    current = session.scalars(select(PlanVersion).where(PlanVersion.is_current.is_(True))).all()
    assert len(current) == 2, "one current version per plan"
    statuses = action_statuses(session, current_version(session))
    assert statuses and all(status.rag in {"red", "amber", "green"} for status in statuses)

    # Bulk inserts with explicit ids must leave new rows free to get the next id.
    assert make_update(session, action=session.get(Action, 1)).id == 121


def test_bench_data_refuses_a_database_that_already_has_plans(app, session):
    runner = app.test_cli_runner()
    assert (
        runner.invoke(args=["bench-data", "--actions", "5", "--updates-per-action", "1"]).exit_code
        == 0
    )
    again = runner.invoke(args=["bench-data", "--actions", "5", "--updates-per-action", "1"])
    assert again.exit_code != 0
    assert "needs an empty database" in again.output
    assert count(session, Action) == 5


def test_bench_data_rejects_a_non_positive_action_count(app):
    result = app.test_cli_runner().invoke(args=["bench-data", "--actions", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--actions'" in result.output
