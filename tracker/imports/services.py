"""Importing an action plan: what a file would create, every problem in it, and creating it.

`preview_import` reads the file and compares it with the plan version, changing nothing;
`apply_import` creates exactly what the preview lists, in the caller's transaction. Rows
whose action already exists under its priority (same title, whatever its case) are matched
and left as they are, so importing the same file twice creates nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select

from tracker.extensions import DbSession
from tracker.imports.reader import (
    TEMPLATE_HEADINGS,
    FileRefused,
    SheetRow,
    parse_date,
    parse_status,
    read_sheet,
    split_list,
)
from tracker.models import (
    Action,
    Organisation,
    PlanVersion,
    Priority,
    ReportingPeriod,
    Theme,
    Update,
    User,
)
from tracker.plans.versions import refuse_unless_current

TITLE_LIMIT = 300
NAME_LIMIT = 200
TEXT_LIMIT = 5000


@dataclass(frozen=True)
class Problem:
    """Something in the file that stops the import, said where it is."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"Row {self.row}"] if self.row else []
        if self.column:
            where.append(TEMPLATE_HEADINGS.get(self.column, self.column))
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class PlannedAction:
    row: int
    priority: str
    title: str
    description: str = ""
    themes: list[str] = field(default_factory=list)
    owner: str | None = None
    partners: list[str] = field(default_factory=list)
    responsible: list[User] = field(default_factory=list)
    start_date: date | None = None
    target_date: date | None = None
    status: str | None = None
    progress: str = ""
    progress_date: date | None = None
    matched_action_id: int | None = None


@dataclass
class ImportPreview:
    """Everything the import would create, and every problem that stops it."""

    filename: str
    new_priorities: list[str] = field(default_factory=list)
    new_themes: list[str] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    new_actions: list[PlannedAction] = field(default_factory=list)
    matched: list[PlannedAction] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def updates(self) -> list[PlannedAction]:
        return [action for action in self.new_actions if action.status]

    @property
    def can_import(self) -> bool:
        return not self.problems and bool(self.new_actions)

    def summary_lines(self) -> list[str]:
        """The preview as plain lines, for the command line."""

        def named(what: str, names: list[str]) -> str:
            return f"{_count(len(names), what)}: {', '.join(names) or '-'}"

        lines = [
            named("new priority", self.new_priorities),
            named("new theme", self.new_themes),
            named("new organisation", self.new_organisations),
            f"{_count(len(self.new_actions), 'new action')}, "
            f"{len(self.updates)} with a progress update",
        ]
        lines += [f"  row {a.row}: {a.title} ({a.priority})" for a in self.new_actions]
        if self.matched:
            lines.append(f"{_count(len(self.matched), 'row')} match actions already in the plan:")
            lines += [f"  row {a.row}: {a.title} ({a.priority})" for a in self.matched]
        if self.problems:
            lines.append(f"{_count(len(self.problems), 'problem')}:")
            lines += [f"  {problem}" for problem in self.problems]
        return lines


def _count(number: int, noun: str) -> str:
    """3 new actions, 1 problem, 2 new priorities."""
    if number == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {plural}"


def _by_lower_name(records: list[Any]) -> dict[str, Any]:
    return {record.name.lower(): record for record in records}


def _existing_names(
    session: DbSession, version: PlanVersion
) -> tuple[dict[str, Priority], dict[str, Theme], dict[str, Organisation]]:
    """The version's priorities and themes, and every organisation, by lower-case name; an
    organisation is also found by its short name, unless another one has that as its name."""
    priorities = _by_lower_name(
        list(session.scalars(select(Priority).where(Priority.plan_version_id == version.id)))
    )
    themes = _by_lower_name(
        list(session.scalars(select(Theme).where(Theme.plan_version_id == version.id)))
    )
    everyone = list(session.scalars(select(Organisation)))
    organisations = {o.short_name.lower(): o for o in everyone if o.short_name}
    organisations.update(_by_lower_name(everyone))
    return priorities, themes, organisations


def preview_import(
    session: DbSession,
    version: PlanVersion,
    filename: str,
    content: bytes,
    *,
    author: User | None,
) -> ImportPreview:
    """What importing the file into the version would create; changes nothing."""
    refuse_unless_current(version, "import actions")
    preview = ImportPreview(filename)
    try:
        sheet = read_sheet(filename, content)
    except FileRefused as refusal:
        preview.problems.append(Problem(None, None, str(refusal)))
        return preview
    if not sheet.rows:
        preview.problems.append(Problem(None, None, "There are no actions under the header row"))
        return preview

    priorities, themes, organisations = _existing_names(session, version)
    users = {
        user.email.lower(): user
        for user in session.scalars(select(User).where(User.active.is_(True)))
    }
    existing_titles = {
        (priority_id, title.lower()): action_id
        for action_id, priority_id, title in session.execute(
            select(Action.id, Action.priority_id, Action.title)
            .join(Priority)
            .where(Priority.plan_version_id == version.id)
        )
    }

    seen_in_file: dict[tuple[str, str], int] = {}
    new_names: dict[str, dict[str, str]] = {"priority": {}, "theme": {}, "organisation": {}}
    for row in sheet.rows:
        planned = _read_row(row, preview.problems, users)
        if planned is None:
            continue
        priority = priorities.get(planned.priority.lower())
        if priority is not None and priority.retired_at is not None:
            preview.problems.append(
                Problem(row.number, "priority", f"the priority {priority.name} has been retired")
            )
            continue
        if priority is None:
            new_names["priority"].setdefault(planned.priority.lower(), planned.priority)
        for theme in planned.themes:
            known = themes.get(theme.lower())
            if known is not None and known.retired_at is not None:
                preview.problems.append(
                    Problem(row.number, "themes", f"the theme {known.name} has been retired")
                )
            elif known is None:
                new_names["theme"].setdefault(theme.lower(), theme)
        for name in ([planned.owner] if planned.owner else []) + planned.partners:
            if name.lower() not in organisations:
                new_names["organisation"].setdefault(name.lower(), name)

        key = (planned.priority.lower(), planned.title.lower())
        if key in seen_in_file:
            preview.problems.append(
                Problem(
                    row.number,
                    "action",
                    f"the action {planned.title} is already on row {seen_in_file[key]} "
                    "under the same priority",
                )
            )
            continue
        seen_in_file[key] = row.number
        matched = existing_titles.get((priority.id, planned.title.lower())) if priority else None
        if matched is not None:
            planned.matched_action_id = matched
            preview.matched.append(planned)
        else:
            preview.new_actions.append(planned)

    preview.new_priorities = list(new_names["priority"].values())
    preview.new_themes = list(new_names["theme"].values())
    preview.new_organisations = list(new_names["organisation"].values())
    if preview.updates and author is None:
        preview.problems.append(
            Problem(None, None, "Progress is recorded as someone: name them with --by EMAIL")
        )
    return preview


def _read_row(
    row: SheetRow, problems: list[Problem], users: dict[str, User]
) -> PlannedAction | None:
    """One row as a planned action, noting each problem in it; None if it cannot be used."""
    cells = row.cells
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(Problem(row.number, column, message))

    def text(column: str, limit: int, required: str | None = None) -> str:
        value = cells.get(column)
        value = "" if value is None else str(value).strip()
        if not value and required:
            problem(column, required)
        if len(value) > limit:
            problem(column, f"more than {limit:,} characters")
        return value

    priority = text("priority", NAME_LIMIT, "the priority is empty")
    title = text("action", TITLE_LIMIT, "the action is empty")
    planned = PlannedAction(
        row=row.number,
        priority=priority,
        title=" ".join(title.split()),
        description=text("description", TEXT_LIMIT),
        themes=split_list(cells.get("themes")),
        partners=split_list(cells.get("partners")),
        owner=text("owner", NAME_LIMIT) or None,
        progress=text("progress", TEXT_LIMIT),
    )
    for name in (*planned.themes, *planned.partners):
        if len(name) > NAME_LIMIT:
            problem("themes" if name in planned.themes else "partners", "a name is too long")
    for email in split_list(str(cells.get("responsible") or "").replace(",", ";")):
        user = users.get(email.lower())
        if user is None:
            problem("responsible", f"no active user has the e-mail {email}")
        else:
            planned.responsible.append(user)
    for column in ("start_date", "target_date", "progress_date"):
        if cells.get(column) is not None:
            try:
                setattr(planned, column, parse_date(cells[column]))
            except ValueError as error:
                problem(column, str(error))
    if planned.start_date and planned.target_date and planned.target_date < planned.start_date:
        problem("target_date", "the target date is before the start date")
    if cells.get("status") is not None:
        try:
            planned.status = parse_status(cells["status"])
        except ValueError as error:
            problem("status", str(error))
        if not planned.progress:
            problem("progress", "a status needs the progress text that goes with it")
    elif planned.progress:
        problem("status", "progress text needs its status: Red, Amber or Green")
    return planned if len(problems) == before else None


@dataclass(frozen=True)
class ImportResult:
    priorities: int
    themes: int
    organisations: int
    actions: int
    updates: int
    matched: int


def apply_import(
    session: DbSession, version: PlanVersion, preview: ImportPreview, *, author: User | None
) -> ImportResult:
    """Create what the preview lists, in the caller's transaction (nothing is committed)."""
    refuse_unless_current(version, "import actions")
    if not preview.can_import:
        raise ValueError("this preview has problems or nothing to import")
    priorities, themes, organisations = _existing_names(session, version)

    next_priority = (
        session.scalar(
            select(func.max(Priority.position)).where(Priority.plan_version_id == version.id)
        )
        or 0
    )
    for name in preview.new_priorities:
        next_priority += 1
        priorities[name.lower()] = Priority(plan_version=version, name=name, position=next_priority)
        session.add(priorities[name.lower()])
    next_theme = (
        session.scalar(select(func.max(Theme.position)).where(Theme.plan_version_id == version.id))
        or 0
    )
    for name in preview.new_themes:
        next_theme += 1
        themes[name.lower()] = Theme(plan_version=version, name=name, position=next_theme)
        session.add(themes[name.lower()])
    for name in preview.new_organisations:
        organisations[name.lower()] = Organisation(name=name)
        session.add(organisations[name.lower()])
    session.flush()

    periods = list(
        session.scalars(
            select(ReportingPeriod).where(ReportingPeriod.plan_version_id == version.id)
        )
    )
    positions: dict[int, int] = {}
    updates = 0
    for planned in preview.new_actions:
        priority = priorities[planned.priority.lower()]
        if priority.id not in positions:
            positions[priority.id] = (
                session.scalar(
                    select(func.max(Action.position)).where(Action.priority_id == priority.id)
                )
                or 0
            )
        positions[priority.id] += 1
        action = Action(
            priority=priority,
            title=planned.title,
            description=planned.description,
            owner_organisation=organisations[planned.owner.lower()] if planned.owner else None,
            partners=[organisations[name.lower()] for name in planned.partners],
            themes=[themes[name.lower()] for name in planned.themes],
            responsible_users=planned.responsible,
            start_date=planned.start_date,
            target_date=planned.target_date,
            position=positions[priority.id],
        )
        session.add(action)
        if planned.status:
            assert author is not None  # the preview refuses progress without an author
            when = planned.progress_date or datetime.now(UTC).date()
            session.add(
                Update(
                    action=action,
                    rag=planned.status,
                    progress_text=planned.progress,
                    author=author,
                    author_organisation_id=author.organisation_id,
                    recorded_at=datetime.combine(when, time(12), tzinfo=UTC),
                    period=next((p for p in periods if p.start_date <= when <= p.end_date), None),
                )
            )
            updates += 1
    session.flush()
    return ImportResult(
        priorities=len(preview.new_priorities),
        themes=len(preview.new_themes),
        organisations=len(preview.new_organisations),
        actions=len(preview.new_actions),
        updates=updates,
        matched=len(preview.matched),
    )
