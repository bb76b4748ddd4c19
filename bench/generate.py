"""`flask --app wsgi bench-data`: fill an empty database with a large synthetic plan.

Small tables go through the ORM; actions, their links and updates are bulk-inserted with
explicit ids in one transaction, which is what makes 10,000 actions × 20 updates quick.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
from itertools import count

import click
from flask.cli import with_appcontext
from sqlalchemy import insert, select, text

from tracker.audit import bulk_load_without_row_audit
from tracker.auth.passwords import hash_password
from tracker.extensions import db
from tracker.models import (
    Action,
    Indicator,
    IndicatorValue,
    Organisation,
    Plan,
    PlanVersion,
    Priority,
    PriorityNarrative,
    ReportingPeriod,
    Theme,
    Update,
    User,
    action_partner,
    action_theme,
    priority_lead,
)

BENCH_VIEWER_EMAIL = "bench.viewer@example.org"
BENCH_LEAD_EMAIL = (
    "bench.lead@example.org"  # leads two priorities of the first plan's current version
)
BENCH_PASSWORD = "bench-only-passphrase"  # noqa: S105 (a throwaway benchmark database)
PRIORITY_NAMES = [
    "Domestic Abuse",
    "Road Safety",
    "Anti-Social Behaviour",
    "Substance Misuse",
    "Serious Violence and Organised Crime",
    "Safeguarding Vulnerable People",
    "Preventing Extremism and Hate",
]
THEME_NAMES = [
    "Early intervention, prevention and education",
    "Improve quality of life and enhance community resilience",
    "Support mental health and wellbeing",
    "Reduce re-offending and support victims",
    "Response and recovery",
]
PROGRESS_NOTES = [
    "Milestone met on schedule; partners confirmed next steps at the tactical group.",
    "Work continuing; one partner has asked for more time to supply data.",
    "Delayed by staff absence; a revised timetable goes to the next working group.",
    "Funding decision still awaited, which puts the target date at risk.",
    "Sessions delivered as planned and feedback from attendees was positive.",
]
# Leads write one to four sentences a period; the board report prints every one of them.
SENTENCES_PER_NOTE = (1, 4)
CONTEXT = (
    "Demand rose again this period, led by two districts [1]. Partners agreed to pool "
    "their analysts for the next quarter.\n\nThe working group will review the effect of "
    "the new referral route at its next meeting [2]."
)
CONTEXT_SOURCES = "Police recorded crime, this period\nPartner service returns"
INDICATORS_PER_PRIORITY = 2
RAG_WEIGHTS = {"green": 5, "amber": 3, "red": 1}
PERIODS_PER_VERSION = 6
BATCH = 20_000


@click.command("bench-data")
@click.option("--actions", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--updates-per-action", type=click.IntRange(min=0), default=20, show_default=True)
@click.option("--plans", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--versions-per-plan", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True, help="random seed")
@with_appcontext
def bench_data_command(
    actions: int, updates_per_action: int, plans: int, versions_per_plan: int, seed: int
) -> None:
    """Fill an empty database with a large synthetic plan for benchmarking."""
    if db.session.scalar(select(Plan.id).limit(1)) is not None:
        raise click.ClickException(
            "bench-data needs an empty database: point DATABASE_URL at a new one"
        )
    started = time.perf_counter()
    with bulk_load_without_row_audit():
        summary = generate(
            actions, updates_per_action, plans, versions_per_plan, random.Random(seed)
        )
    if db.engine.dialect.name == "postgresql":
        # Statistics for the planner, as a production server has them once autovacuum has
        # seen the data: without them PostgreSQL guesses, and the bench measures the guess.
        # (SQLite keeps none unless asked, in production as here.)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    click.echo(f"{summary} in {time.perf_counter() - started:.1f} s")
    click.echo(f"Sign in as {BENCH_VIEWER_EMAIL} / {BENCH_PASSWORD}")


def generate(
    action_total: int,
    updates_per_action: int,
    plan_total: int,
    versions_per_plan: int,
    rng: random.Random,
) -> str:
    """Create the data and return a one-line summary."""
    session = db.session
    organisations = [
        Organisation(name=f"Partner agency {number}", short_name=f"PA{number}")
        for number in range(1, 13)
    ]
    users = [
        User(
            email=f"bench.user{number}@example.org",
            name=f"Bench User {number}",
            role="lead",
            organisation=organisations[number % len(organisations)],
        )
        for number in range(1, 61)
    ]
    viewer = User(
        email=BENCH_VIEWER_EMAIL,
        name="Bench Viewer",
        role="viewer",
        organisation=organisations[0],
        password_hash=hash_password(BENCH_PASSWORD),
    )
    lead = User(
        email=BENCH_LEAD_EMAIL,
        name="Bench Lead",
        role="lead",
        organisation=organisations[1],
        password_hash=viewer.password_hash,
    )
    session.add_all([*organisations, *users, viewer, lead])

    versions: list[tuple[PlanVersion, list[Priority], list[Theme], list[ReportingPeriod]]] = []
    for plan_number in range(1, plan_total + 1):
        plan = Plan(name=f"Bench plan {plan_number}")
        for version_number in range(1, versions_per_plan + 1):
            year = 2026 - versions_per_plan + version_number
            version = PlanVersion(
                plan=plan,
                version_number=version_number,
                label=f"{year}/{str(year + 1)[2:]}",
                effective_from=date(year, 4, 1),
                is_current=version_number == versions_per_plan,
            )
            priorities = [
                Priority(
                    plan_version=version, name=name, lead_role="Lead officer", position=position
                )
                for position, name in enumerate(PRIORITY_NAMES)
            ]
            themes = [
                Theme(plan_version=version, name=name, position=position)
                for position, name in enumerate(THEME_NAMES)
            ]
            periods = [
                ReportingPeriod(
                    plan_version=version,
                    name=f"{version.label} period {number + 1}",
                    start_date=date(year, 4, 1) + timedelta(days=61 * number),
                    end_date=date(year, 4, 1) + timedelta(days=61 * number + 60),
                    is_open=number == PERIODS_PER_VERSION - 1 and version.is_current,
                )
                for number in range(PERIODS_PER_VERSION)
            ]
            session.add_all([version, *priorities, *themes, *periods])
            session.add_all(_context_and_indicators(priorities, periods, rng))
            versions.append((version, priorities, themes, periods))
    session.flush()
    session.execute(
        insert(priority_lead),
        [
            {"priority_id": priority.id, "user_id": users[(priority.id * 7) % len(users)].id}
            for _, priorities, _, _ in versions
            for priority in priorities
        ],
    )
    first_current = next(v for v in versions if v[0].is_current)
    session.execute(
        insert(priority_lead),
        [{"priority_id": priority.id, "user_id": lead.id} for priority in first_current[1][:2]],
    )

    action_ids = count(1)
    update_ids = count(1)
    action_rows, theme_rows, partner_rows, update_rows = [], [], [], []
    for index in range(action_total):
        _version, priorities, themes, periods = versions[index % len(versions)]
        action_id = next(action_ids)
        priority = priorities[index % len(priorities)]
        action_rows.append(
            {
                "id": action_id,
                "priority_id": priority.id,
                "title": f"Synthetic action {action_id}: joint work on {priority.name.lower()}",
                "description": "",
                "owner_organisation_id": organisations[index % len(organisations)].id,
                "state": "completed" if index % 23 == 0 else "active",
                "position": index,
                "created_at": datetime(2025, 4, 1, tzinfo=UTC),
            }
        )
        for theme in rng.sample(themes, k=rng.randint(1, 3)):
            theme_rows.append({"action_id": action_id, "theme_id": theme.id})
        partner_rows.append(
            {
                "action_id": action_id,
                "organisation_id": organisations[(index + 5) % len(organisations)].id,
            }
        )
        for number in range(updates_per_action):
            period = periods[number * len(periods) // max(updates_per_action, 1)]
            author = users[(index + number) % len(users)]
            update_rows.append(
                {
                    "id": next(update_ids),
                    "action_id": action_id,
                    "period_id": period.id,
                    "rag": rng.choices(list(RAG_WEIGHTS), weights=list(RAG_WEIGHTS.values()))[0],
                    "progress_text": " ".join(
                        rng.sample(PROGRESS_NOTES, k=rng.randint(*SENTENCES_PER_NOTE))
                    ),
                    "author_id": author.id,
                    "author_organisation_id": author.organisation_id,
                    "recorded_at": datetime.combine(
                        period.start_date, datetime.min.time(), tzinfo=UTC
                    )
                    + timedelta(hours=number * 5 + index % 5),
                }
            )
    for table, rows in (
        (Action.__table__, action_rows),
        (action_theme, theme_rows),
        (action_partner, partner_rows),
        (Update.__table__, update_rows),
    ):
        for start in range(0, len(rows), BATCH):
            session.execute(insert(table), rows[start : start + BATCH])
    _advance_postgresql_sequences()
    session.commit()
    return (
        f"Generated {plan_total} plans × {versions_per_plan} versions, "
        f"{len(action_rows):,} actions, {len(update_rows):,} updates"
    )


def _context_and_indicators(
    priorities: list[Priority], periods: list[ReportingPeriod], rng: random.Random
) -> list[object]:
    """Each priority's context for every period and its indicators with a value in each."""
    rows: list[object] = []
    for priority in priorities:
        for period in periods:
            rows.append(
                PriorityNarrative(
                    priority=priority, period=period, body=CONTEXT, sources=CONTEXT_SOURCES
                )
            )
        for number in range(1, INDICATORS_PER_PRIORITY + 1):
            indicator = Indicator(
                priority=priority,
                name=f"{priority.name}: measure {number}",
                unit="incidents",
                polarity="lower_is_better" if number % 2 else "higher_is_better",
                position=number,
            )
            rows.append(indicator)
            for period in periods:
                value = rng.randint(800, 1200)
                rows.append(
                    IndicatorValue(
                        indicator=indicator,
                        period=period,
                        value=value,
                        comparison_value=value + rng.randint(-150, 150),
                        comparison_label="same period last year",
                    )
                )
    return rows


def _advance_postgresql_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the inserted rows."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("action", "action_update"):
        sequence = f"pg_get_serial_sequence('{table}', 'id')"
        db.session.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))  # noqa: S608
