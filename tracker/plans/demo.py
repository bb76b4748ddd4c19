"""Loading the demo plan, so a newcomer sees a realistic partnership plan straight away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tracker.audit import bulk_load_without_row_audit, record_event
from tracker.auth import two_factor
from tracker.auth.passwords import hash_password
from tracker.extensions import DbSession
from tracker.models import (
    Action,
    GrantPot,
    GrantProject,
    Indicator,
    IndicatorValue,
    Organisation,
    Plan,
    PlanVersion,
    Priority,
    PriorityNarrative,
    ReportingPeriod,
    SiteSetting,
    Theme,
    Update,
    User,
)
from tracker.plans import demo_content as content


@dataclass(frozen=True)
class DemoSignIn:
    email: str
    name: str
    role: str
    description: str


@dataclass(frozen=True)
class DemoLoadResult:
    loaded: bool
    message: str


def demo_sign_ins() -> list[DemoSignIn]:
    """The demo accounts that can sign in, with what each is for."""
    led_by: dict[str, list[str]] = {}
    for priority in content.PRIORITIES:
        for key in priority["leads"]:
            led_by.setdefault(key, []).append(priority["name"])
    sign_ins = []
    for key, (email, name, role, _org, can_sign_in) in content.USERS.items():
        if not can_sign_in:
            continue
        description = {
            "admin": "users, organisations and plan structure",
            "coordinator": "community safety team: every action, periods, reports",
            "viewer": "reads everything, changes nothing",
        }.get(role, "leads " + ", ".join(led_by.get(key, [])))
        sign_ins.append(DemoSignIn(email, name, role, description))
    return sign_ins


def database_has_plans(session: DbSession) -> bool:
    """True if any plan exists: the database is not empty."""
    return bool(session.scalar(select(func.count()).select_from(Plan)))


def demo_plan_loaded(session: DbSession) -> bool:
    """True if the demo plan is in the database."""
    return session.scalar(select(Plan.id).where(Plan.name == content.PLAN_NAME)) is not None


def load_demo_plan(session: DbSession) -> DemoLoadResult:
    """Load the demo plan, its people and a year of history; does nothing if already there.

    Loaded into an empty database, it makes that database a demo database: two-factor sign-in
    is relaxed for every role, so a newcomer can try each demo account, and pages say so.
    """
    if demo_plan_loaded(session):
        return DemoLoadResult(False, f"The demo plan '{content.PLAN_NAME}' is already loaded.")
    database_was_empty = session.scalar(select(User.id).limit(1)) is None
    with bulk_load_without_row_audit():
        action_count = _load(session)
        if database_was_empty:
            session.add(SiteSetting(key=two_factor.DEMO_SETTING, value="true"))
            session.add(SiteSetting(key=two_factor.REQUIRED_ROLES_SETTING, value=""))
        session.commit()
    return DemoLoadResult(
        True, f"Loaded the demo plan '{content.PLAN_NAME}' with {action_count} actions."
    )


def _load(session: DbSession) -> int:
    """Add the demo plan's rows to the session; returns the number of actions."""
    organisations = {
        key: _organisation(session, *names) for key, names in content.ORGANISATIONS.items()
    }
    users = {
        key: _user(session, email, name, role, organisations[org], can_sign_in)
        for key, (email, name, role, org, can_sign_in) in content.USERS.items()
    }

    plan = Plan(name=content.PLAN_NAME, description=content.PLAN_DESCRIPTION)
    version = PlanVersion(plan=plan, is_current=True, **content.VERSION)
    session.add_all([plan, version])

    themes = {
        key: Theme(plan_version=version, name=name, position=position)
        for position, (key, name) in enumerate(content.THEMES.items())
    }
    periods = [
        ReportingPeriod(
            plan_version=version,
            name=name,
            start_date=start,
            end_date=end,
            due_date=due,
            is_open=is_open,
            # The periods before the open one were closed by the coordinator after their
            # papers went to the board: locked, as they would be in real use.
            closed_at=None if is_open else datetime.combine(due, time(17), tzinfo=UTC),
            closed_by=None if is_open else users["coordinator"],
        )
        for name, start, end, due, is_open in content.PERIODS
    ]
    session.add_all([*themes.values(), *periods])

    action_number = 0
    priorities_by_name: dict[str, Priority] = {}
    for position, spec in enumerate(content.PRIORITIES):
        priority = Priority(
            plan_version=version,
            name=spec["name"],
            lead_role=spec["lead_role"],
            includes=spec["includes"],
            position=position,
            leads=[users[key] for key in spec["leads"]],
        )
        session.add(priority)
        priorities_by_name[priority.name] = priority
        for action_position, action_spec in enumerate(spec["actions"]):
            action_number += 1
            action = Action(
                priority=priority,
                title=action_spec["title"],
                owner_organisation=organisations[action_spec["owner"]],
                partners=[organisations[key] for key in action_spec["partners"]],
                themes=[themes[key] for key in action_spec["themes"]],
                responsible_users=[users[key] for key in spec["leads"]],
                start_date=action_spec.get("start", content.VERSION["effective_from"]),
                target_date=action_spec["target"],
                state=action_spec.get("state", "active"),
                position=action_position,
            )
            session.add(action)
            author = users[spec["leads"][0]]
            for period, entry in zip(periods, action_spec["updates"], strict=True):
                if entry is None:
                    continue
                # The coordinator sometimes enters a lead's update for them, as happens in practice.
                writer = users["coordinator"] if action_number % 5 == 0 else author
                rag, text = entry
                session.add(
                    Update(
                        action=action,
                        period=period,
                        rag=rag,
                        progress_text=text,
                        author=writer,
                        author_organisation=writer.organisation,
                        recorded_at=_written_during(period, action_number),
                    )
                )
        for indicator_position, (name, unit, polarity, source, values, last_year) in enumerate(
            spec["indicators"]
        ):
            indicator = Indicator(
                priority=priority,
                name=name,
                unit=unit,
                polarity=polarity,
                source=source,
                position=indicator_position,
            )
            session.add(indicator)
            for period, value, comparison in zip(periods, values, last_year, strict=True):
                session.add(
                    IndicatorValue(
                        indicator=indicator,
                        period=period,
                        value=Decimal(value),
                        comparison_value=Decimal(comparison),
                        comparison_label="same period last year",
                        recorded_by=users["coordinator"],
                        recorded_at=_written_during(period, indicator_position),
                    )
                )

        for period_index, (body, sources) in content.NARRATIVES.get(spec["name"], {}).items():
            session.add(
                PriorityNarrative(
                    priority=priority,
                    period=periods[period_index],
                    body=body,
                    sources=sources,
                    author=users[spec["leads"][0]],
                    updated_at=_written_during(periods[period_index], position),
                )
            )

    funder, year, amount, notes = content.GRANT
    pot = GrantPot(
        plan=plan, funder=funder, financial_year=year, amount=Decimal(amount), notes=notes
    )
    for (
        name,
        awarded,
        status,
        lead,
        supports,
        start,
        end,
        achieved,
        reach,
        measure,
    ) in content.GRANT_PROJECTS:
        session.add(
            GrantProject(
                pot=pot,
                name=name,
                amount=Decimal(awarded),
                status=status,
                lead_organisation=lead,
                priorities=[priorities_by_name[key] for key in supports],
                start_date=start,
                end_date=end,
                achieved=achieved,
                reach=reach,
                reach_measure=measure,
            )
        )
    session.add(pot)

    session.flush()
    record_event(
        session,
        "seed_demo",
        entity_type="plan",
        entity_id=plan.id,
        summary=f"Demo plan '{plan.name}' loaded with {action_number} actions",
    )
    return action_number


def _organisation(session: DbSession, name: str, short_name: str) -> Organisation:
    existing = session.scalar(select(Organisation).where(Organisation.name == name))
    if existing is not None:
        return existing
    organisation = Organisation(name=name, short_name=short_name)
    session.add(organisation)
    return organisation


def _user(
    session: DbSession,
    email: str,
    name: str,
    role: str,
    organisation: Organisation,
    can_sign_in: bool,
) -> User:
    existing = session.scalar(select(User).where(User.email == email))
    if existing is not None:
        return existing
    user = User(
        email=email,
        name=name,
        role=role,
        organisation=organisation,
        password_hash=hash_password(content.DEMO_PASSWORD) if can_sign_in else None,
    )
    session.add(user)
    return user


def _written_during(period: ReportingPeriod, spread: int) -> datetime:
    """A plausible time inside the period: leads write in the weeks before the due date."""
    day = period.start_date + timedelta(days=30 + spread % 20)
    return datetime.combine(min(day, period.end_date), time(9, 30), tzinfo=UTC) + timedelta(
        minutes=17 * spread
    )
