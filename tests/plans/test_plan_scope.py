"""One plan per request: every page, link, download and API answer of a plan is that plan's.

Two plans are built here from scratch (not the demo), each with its own priority, theme,
action, period, indicator, context and report; people and organisations are shared, as in a
real deployment. Walking every page reachable from plan B must show nothing of plan A.
"""

from __future__ import annotations

import re
import zipfile
from collections import deque
from io import BytesIO
from urllib.parse import urlsplit

import pytest

from tests.conftest import client_signed_in_as
from tests.support.factories import (
    make_action,
    make_organisation,
    make_period,
    make_plan_version,
    make_priority,
    make_theme,
    make_update,
    make_user,
)
from tests.support.paths import plan_path
from tracker.models import Indicator, IndicatorValue, Plan, PriorityNarrative
from tracker.reports.services import start_draft

# Pages that are about no plan, or about every plan (the plan chooser lists them all).
OUTSIDE_ANY_PLAN = re.compile(r"^/(plans$|account|admin|login|logout|static/)")


def build_plan(session, word: str, coordinator, lead, organisation):
    """A plan whose every name carries `word`, so a page showing any of it can be caught."""
    version = make_plan_version(session, plan=Plan(name=f"{word} Partnership Plan"))
    priority = make_priority(session, plan_version=version, name=f"{word} Priority")
    priority.leads.append(lead)
    theme = make_theme(session, plan_version=version, name=f"{word} Theme")
    earlier = make_period(
        session,
        plan_version=version,
        name=f"{word} Spring",
        start_date=version.effective_from,
        end_date=version.effective_from.replace(month=9, day=30),
    )
    period = make_period(session, plan_version=version, name=f"{word} Autumn", is_open=True)
    action = make_action(
        session,
        priority=priority,
        title=f"{word} action on patrols",
        themes=[theme],
        owner_organisation=organisation,
    )
    make_action(session, priority=priority, title=f"{word} action not yet updated")
    make_update(session, action=action, author=lead, rag="green", period=earlier)
    make_update(
        session,
        action=action,
        author=lead,
        rag="red",
        period=period,
        progress_text=f"{word} progress: the patrol rota slipped.",
        mitigation_text="A second team starts next month.",
    )
    indicator = Indicator(
        priority=priority, name=f"{word} incidents", unit="incidents", polarity="lower_is_better"
    )
    session.add(indicator)
    session.add(IndicatorValue(indicator=indicator, period=period, value=12))
    session.add(
        PriorityNarrative(
            priority=priority, period=period, body=f"{word} context for the board.", author=lead
        )
    )
    report = start_draft(session, period=period, subject=f"{word} board update", author=coordinator)
    session.flush()
    return {"plan": version.plan, "priority": priority, "period": period, "report": report}


@pytest.fixture
def two_plans(session):
    organisation = make_organisation(session, name="County Fire Service")
    coordinator = make_user(
        session, email="coordinator@example.org", role="coordinator", two_factor=True
    )
    lead = make_user(session, email="lead@example.org", role="lead", name="Pat Lead")
    alpha = build_plan(session, "Alpha", coordinator, lead, organisation)
    bravo = build_plan(session, "Bravo", coordinator, lead, organisation)
    session.commit()
    return alpha, bravo


def signed_in(app, email):
    return client_signed_in_as(app, email)


def links_in(html: str) -> set[str]:
    """Every same-site address a page links to or loads with htmx, without its fragment."""
    found = set(re.findall(r'(?:href|hx-get)="(/[^"]*)"', html))
    return {address.replace("&amp;", "&").split("#")[0] for address in found}


def text_of_download(body: bytes, content_type: str) -> str:
    """What a person would find in the file: the XML inside Word and Excel files, else text."""
    if "officedocument" in content_type:
        with zipfile.ZipFile(BytesIO(body)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    if content_type.startswith("application/pdf"):
        from tests.reports.readers import pdf_text

        return pdf_text(body)
    return body.decode("utf-8", "replace")


def walk(client, start: str, limit: int = 250) -> dict[str, tuple[int, str]]:
    """Breadth-first over every page reachable from `start` within the plan's own pages."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        address = queue.popleft()
        if address in seen or OUTSIDE_ANY_PLAN.match(urlsplit(address).path):
            continue
        response = client.get(address)
        content_type = response.headers.get("Content-Type", "")
        body = response.get_data()
        text = (
            body.decode("utf-8", "replace")
            if content_type.startswith(("text/html", "application/json"))
            else text_of_download(body, content_type)
        )
        if response.status_code in (302, 303, 307):
            # A redirect's target is part of the walk, and must not leave the plan either.
            text = response.headers["Location"]
            queue.append(text)
        elif content_type.startswith("text/html"):
            queue.extend(links_in(text) - seen.keys())
        seen[address] = (response.status_code, text)
    return seen


def test_every_page_link_download_and_answer_of_plan_b_shows_nothing_of_plan_a(app, two_plans):
    alpha, bravo = two_plans
    coordinator = signed_in(app, "coordinator@example.org")
    pages = walk(coordinator, plan_path(bravo["plan"]))
    pages.update(walk(coordinator, f"/api/v1/plans/{bravo['plan'].id}/rollup"))
    lead_pages = walk(signed_in(app, "lead@example.org"), plan_path(bravo["plan"], "my-actions"))

    visited = {**pages, **{f"lead {address}": page for address, page in lead_pages.items()}}
    paths = {urlsplit(address).path for address in pages}
    b = bravo["plan"].id
    # The walk reached every kind of plan page, record page and download.
    for expected in (
        f"/plans/{b}",
        f"/plans/{b}/rollup",
        f"/plans/{b}/rollup/trend",
        f"/plans/{b}/rollup/actions",
        f"/plans/{b}/periods",
        f"/plans/{b}/periods/outstanding",
        f"/plans/{b}/reports",
        f"/plans/{b}/reports/new",
        f"/plans/{b}/reports/performance-summary",
        f"/plans/{b}/my-actions",
        f"/priorities/{bravo['priority'].id}",
        f"/reports/{bravo['report'].id}",
        f"/reports/{bravo['report'].id}/edit",
        *(
            f"/reports/{bravo['report'].id}/download/{fmt}"
            for fmt in ("docx", "pdf", "xlsx", "csv")
        ),
        f"/api/v1/plans/{b}/rollup",
        f"/plans/{b}/structure",
        f"/plans/{b}/import",
        f"/priorities/{bravo['priority'].id}/edit",
        f"/priorities/{bravo['priority'].id}/retire",
    ):
        assert expected in paths, f"the walk never reached {expected}"
    assert any(path.startswith("/actions/") for path in paths)
    assert f"/plans/{b}/my-actions" in {urlsplit(a).path for a in lead_pages}

    problems = []
    a = alpha["plan"].id
    for address, (status, text) in visited.items():
        if status not in (200, 302, 303, 307):
            problems.append(f"{address}: {status}")
        if "Alpha" in text:
            problems.append(f"{address} shows plan A: …{text[text.index('Alpha') - 60 :][:140]}…")
        if re.search(rf"/plans/{a}(/|\"|\?)", text):
            problems.append(f"{address} links into plan A")
        whole_page_or_file = status == 200 and not text.lstrip().startswith("<div")
        blank_template = "/import/template/" in address  # the same empty form for every plan
        if whole_page_or_file and not blank_template and "Bravo" not in text:
            problems.append(f"{address} shows nothing of plan B")
    assert problems == [], "\n".join(problems)


def test_a_record_of_another_plan_is_not_found_under_this_plans_address(app, two_plans):
    alpha, bravo = two_plans
    client = signed_in(app, "coordinator@example.org")
    b, alpha_period = bravo["plan"].id, alpha["period"].id
    for page in ("rollup", "rollup/actions", "reports/performance-summary"):
        assert client.get(f"/plans/{b}/{page}?period={alpha_period}").status_code == 404, page
    assert client.get(f"/api/v1/plans/{b}/rollup?period={alpha_period}").status_code == 404
    drilldown = client.get(f"/plans/{b}/rollup/actions?priority={alpha['priority'].id}")
    assert drilldown.status_code == 200 and "Alpha" not in drilldown.get_data(as_text=True)
    assert client.get("/plans/999999/rollup").status_code == 404


def test_old_addresses_redirect_into_the_plan_last_used_keeping_the_query(app, two_plans):
    alpha, bravo = two_plans
    client = signed_in(app, "coordinator@example.org")
    a, b, period = alpha["plan"].id, bravo["plan"].id, bravo["period"].id

    first = client.get(f"/rollup?period={alpha['period'].id}&moved=changed")
    assert first.status_code == 307
    assert first.headers["Location"] == (
        f"/plans/{a}/rollup?period={alpha['period'].id}&moved=changed"
    ), "with no plan used yet, the first plan"
    assert client.get("/").headers["Location"] == f"/plans/{a}"

    client.get(f"/plans/{b}/rollup")
    assert client.get("/").headers["Location"] == f"/plans/{b}", "back to the plan last used"
    assert client.get("/my-actions").headers["Location"] == f"/plans/{b}/my-actions"
    assert client.get(f"/api/v1/rollup?period={period}").headers["Location"] == (
        f"/api/v1/plans/{b}/rollup?period={period}"
    )
    # The old pages read ?plan=, so an old bookmark of plan A still opens plan A.
    assert client.get(f"/reports?plan={a}").headers["Location"] == f"/plans/{a}/reports"
    redirected = client.get(f"/periods/outstanding?plan={a}", follow_redirects=True)
    assert "Alpha Autumn" in redirected.get_data(as_text=True)


def test_the_plan_switcher_opens_the_same_page_of_another_plan(app, two_plans):
    alpha, bravo = two_plans
    client = signed_in(app, "lead@example.org")
    rollup = client.get(plan_path(bravo["plan"], "rollup")).get_data(as_text=True)
    assert "Plan: <strong>Bravo Partnership Plan</strong>" in rollup
    switch = re.search(r'href="(/plans\?page=[^"]+)">Switch plan', rollup).group(1)
    chooser = client.get(switch.replace("&amp;", "&")).get_data(as_text=True)
    assert f'href="/plans/{alpha["plan"].id}/rollup"' in chooser
    assert f'href="/plans/{bravo["plan"].id}/rollup"' in chooser
    # Only known pages can be asked for; anything else offers each plan's overview.
    for crafted in ("auth.logout", "x", "admin.users", ""):
        answer = client.get(f"/plans?page={crafted}")
        assert answer.status_code == 200
        assert f'href="/plans/{alpha["plan"].id}"' in answer.get_data(as_text=True)


def test_with_one_plan_there_is_no_switcher(app, session):
    version = make_plan_version(session)
    make_user(session, email="viewer@example.org", role="viewer")
    session.commit()
    client = signed_in(app, "viewer@example.org")
    page = client.get(plan_path(version)).get_data(as_text=True)
    assert "Switch plan" not in page
    assert f'href="/plans/{version.plan_id}/rollup"' in page, "the menu links into the plan"
