"""E-mail reminders, sent through a real SMTP server on loopback (aiosmtpd) and a local HTTP
server standing in for GOV.UK Notify: one digest per person per stage, each stage once,
failures recorded, shown and retried, and the coordinator's preview and send now."""

from __future__ import annotations

import logging
import threading
from datetime import date, timedelta
from html import unescape

import jwt
import pytest
from sqlalchemy import func, select

from tests.conftest import client_signed_in_as, csrf_token_from, make_app, run_cli
from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_update,
    make_user,
)
from tests.support.mail import PUBLIC_URL
from tests.support.paths import plan_path
from tracker.config import ConfigError, reminder_settings_from
from tracker.extensions import db
from tracker.models import AuditEvent, Organisation, Reminder
from tracker.reminders.services import local_today

DUE = date(2027, 1, 15)


@pytest.fixture
def app(app_sending_mail):
    return app_sending_mail


@pytest.fixture
def plan(session):
    """A partnership's own plan: two leads from two agencies, one action already updated."""
    police = Organisation(name="Shire Constabulary")
    fire = Organisation(name="Shire Fire and Rescue")
    session.add_all([police, fire])
    version = make_plan_version(session, label="2026/27")
    pat = make_user(session, name="Pat Police", email="pat@police.example", organisation=police)
    fran = make_user(session, name="Fran Fire", email="fran@fire.example", organisation=fire)
    coordinator = make_user(session, role="coordinator", name="Cy Coordinator", two_factor=True)
    roads = make_priority(session, plan_version=version, name="Road Safety", position=1)
    roads.leads.append(pat)
    homes = make_priority(session, plan_version=version, name="Safer Homes", position=2)
    period = make_period(
        session,
        plan_version=version,
        name="Oct–Dec 2026",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        due_date=DUE,
        is_open=True,
    )
    speed = make_action(session, priority=roads, title="Speed checks near schools", position=1)
    long_title = (
        "Joint education sessions with sixth-form colleges on the risks of driving with "
        "friends in the car at night"
    )
    colleges = make_action(session, priority=roads, title=long_title, position=2)
    done = make_action(session, priority=roads, title="Cycle lanes survey", position=3)
    alarms = make_action(session, priority=homes, title="Smoke alarms for older people")
    alarms.responsible_users.append(fran)
    make_update(session, action=done, author=pat, period=period, rag="green")
    session.commit()
    return {
        "version": version,
        "pat": pat,
        "fran": fran,
        "coordinator": coordinator,
        "period": period,
        "speed": speed,
        "colleges": colleges,
        "alarms": alarms,
    }


def run(app, day: date, *extra: str):
    return run_cli(app, ["send-reminders", "--on", day.isoformat(), *extra])


def test_each_person_gets_one_digest_per_stage_and_never_the_same_stage_twice(
    app, session, plan, relay
):
    handler = relay
    too_early = run(app, DUE - timedelta(days=8))
    assert too_early.exit_code == 0, too_early.output
    assert "The first reminder for Oct–Dec 2026 goes on 8 January 2027" in too_early.output
    assert handler.messages == []

    first = run(app, DUE - timedelta(days=7))
    assert first.exit_code == 0, first.output
    assert "Reminders: 2 sent." in first.output
    [to_pat] = handler.to("pat@police.example")
    assert (
        to_pat["Subject"] == "Updates due by 15 January: 2 actions in " + plan["version"].plan.name
    )
    body = to_pat.get_payload(decode=True).decode()
    assert "Dear Pat Police," in body
    assert "due by Friday 15 January 2027" in body
    assert "Speed checks near schools (Road Safety)" in body
    assert "Cycle lanes survey" not in body  # already updated for the period
    assert f"{PUBLIC_URL}/plans/{plan['version'].plan_id}/my-actions?due=yes" in body
    assert all(len(line) <= 72 for line in body.splitlines() if "http" not in line)
    [to_fran] = handler.to("fran@fire.example")
    assert "1 action in" in to_fran["Subject"]
    assert (
        "Smoke alarms for older people (Safer Homes)" in to_fran.get_payload(decode=True).decode()
    )

    # Later the same week, and every hour in between: nothing new.
    for day in (DUE - timedelta(days=7), DUE - timedelta(days=3)):
        assert "Reminders: 0 sent" in run(app, day).output
    assert len(handler.messages) == 2

    assert "Reminders: 2 sent." in run(app, DUE).output
    assert handler.to("pat@police.example")[-1]["Subject"].startswith("Updates due today: ")

    # Pat gives one update; the overdue reminder lists only what is still owed.
    make_update(session, action=plan["speed"], author=plan["pat"], period=plan["period"])
    session.commit()
    assert "Reminders: 2 sent." in run(app, DUE + timedelta(days=2)).output
    overdue = handler.to("pat@police.example")[-1]
    assert overdue["Subject"].startswith("Overdue updates: 1 action in")
    overdue_body = overdue.get_payload(decode=True).decode()
    assert "were due on Friday 15 January 2027" in overdue_body
    assert "Speed checks" not in overdue_body and "Joint education sessions" in overdue_body
    assert "Reminders: 0 sent" in run(app, DUE + timedelta(days=9)).output
    assert len(handler.messages) == 6
    assert session.scalar(select(func.count(Reminder.id))) == 6


def test_a_failed_send_is_logged_shown_on_the_chase_list_and_retried_without_stopping_others(
    app, session, plan, relay, caplog
):
    handler = relay
    handler.refused.add("pat@police.example")
    with caplog.at_level(logging.WARNING, logger="tracker.reminders.services"):
        failed = run(app, DUE)
    assert failed.exit_code == 1
    assert "Reminders: 1 sent, 1 failed" in failed.output
    assert "Failed: pat@police.example: SMTP 127.0.0.1" in failed.output
    assert [m["To"] for m in handler.messages] == ["Fran Fire <fran@fire.example>"]
    assert "Reminder to pat@police.example for Oct–Dec 2026 (due_today) failed" in caplog.text
    assert "Mailbox unavailable" in caplog.text

    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    chase = unescape(
        coordinator.get(plan_path(plan["version"], "periods/outstanding")).get_data(as_text=True)
    )
    assert "Reminder failed" in chase and "Mailbox unavailable" in chase
    assert "Reminded" in chase  # Fran's went

    handler.refused.clear()
    retried = run(app, DUE)
    assert retried.exit_code == 0
    assert "Reminders: 1 sent." in retried.output
    assert [m["To"] for m in handler.messages][-1] == "Pat Police <pat@police.example>"
    session.expire_all()
    pat_reminder = session.scalar(select(Reminder).where(Reminder.user_id == plan["pat"].id))
    assert pat_reminder.status == "sent" and pat_reminder.attempts == 2


def test_overlapping_runs_send_each_reminder_once(app, session, plan, relay):
    handler = relay
    outputs = []

    def one_run():
        outputs.append(run(app, DUE).output)

    runs = [threading.Thread(target=one_run) for _ in range(3)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    assert len(handler.messages) == 2, outputs
    assert sorted(m["To"] for m in handler.messages) == [
        "Fran Fire <fran@fire.example>",
        "Pat Police <pat@police.example>",
    ]


def test_the_chase_list_shows_organisation_and_email_and_its_text_wraps(app, session, plan):
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    page = unescape(
        coordinator.get(plan_path(plan["version"], "periods/outstanding")).get_data(as_text=True)
    )
    assert "Shire Constabulary · " in page
    assert 'href="mailto:pat@police.example"' in page
    text = page.split('aria-label="Chase list as plain text">', 1)[1].split("</pre>", 1)[0]
    lines = text.splitlines()
    assert lines[0] == "Outstanding updates for Oct–Dec 2026 (due 15 January 2027)"
    assert lines[1] == ""  # a line break after the heading
    assert "Pat Police, Shire Constabulary <pat@police.example> (2):" in lines
    assert max(len(line) for line in lines) <= 72
    assert "  - Joint education sessions with sixth-form colleges on the risks of" in lines


def test_the_coordinator_previews_who_gets_what_and_sends_now(app, session, plan, relay):
    handler = relay
    due = local_today() + timedelta(days=30)
    plan["period"].due_date = due
    session.commit()
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    url = plan_path(plan["version"], "reminders")
    page = unescape(coordinator.get(url).get_data(as_text=True))
    # Today is weeks before the first reminder: send now sends it early.
    assert "not due until" in page
    assert "Pat Police" in page and "Shire Constabulary" in page and "pat@police.example" in page
    assert "Speed checks near schools (Road Safety)" in page  # the e-mail's own text
    assert "Not sent yet" in page
    assert "Send 2 reminders now" in page

    sent = coordinator.post(url + "/send", data={"csrf_token": csrf_token_from(page)})
    assert sent.status_code == 303
    assert len(handler.messages) == 2
    after = unescape(coordinator.get(url).get_data(as_text=True))
    assert "Reminders: 2 sent." in after
    assert after.count(">Sent</strong>") == 2
    assert "Send 2 reminders now" not in after
    again = coordinator.post(url + "/send", data={"csrf_token": csrf_token_from(after)})
    assert again.status_code == 303
    assert len(handler.messages) == 2
    # The scheduled early reminder does not go again on its day.
    assert "Reminders: 0 sent" in run(app, due - timedelta(days=7)).output
    event = session.scalars(select(AuditEvent).where(AuditEvent.verb == "reminders_sent")).one()
    assert event.actor_id == plan["coordinator"].id and "2 sent" in event.summary


def test_reminder_settings_are_checked_and_turning_them_off_stops_the_hourly_run(
    app, session, plan, relay
):
    handler = relay
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    url = plan_path(plan["version"], "reminders")
    token = csrf_token_from(coordinator.get(url).get_data(as_text=True))
    refused = coordinator.post(
        url + "/settings", data={"csrf_token": token, "enabled": "y", "days_before": "0"}
    )
    assert refused.status_code == 422
    assert "Enter a number of days from 1 to 60" in refused.get_data(as_text=True)

    saved = coordinator.post(
        url + "/settings", data={"csrf_token": token, "enabled": "y", "days_before": "10"}
    )
    assert saved.status_code == 303
    assert "Reminders: 2 sent." in run(app, DUE - timedelta(days=10)).output

    coordinator.post(url + "/settings", data={"csrf_token": token, "days_before": "10"})
    output = run(app, DUE).output
    assert "No plan has reminders turned on." in output
    assert len(handler.messages) == 2


@pytest.fixture
def app_without_sender(database_url, tmp_path):
    application = make_app(database_url, tmp_path / "bare")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_no_sender_configured_is_a_clear_error(app_without_sender, plan):
    result = run(app_without_sender, DUE)
    assert result.exit_code != 0
    assert "No e-mail sender is set up: set SMTP_HOST and MAIL_FROM" in result.output
    dry = run(app_without_sender, DUE, "--dry-run")
    assert dry.exit_code == 0
    assert "Pat Police <pat@police.example>: 2 action(s)" in dry.output


# --- GOV.UK Notify ---------------------------------------------------------------------

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
TEMPLATES = {
    "before_due": "f33517ff-2a88-4f6e-b855-c550268ce08a",
    "due_today": "0b0d4b57-3f5c-4f7e-9f8a-0a9bd1c2a001",
    "overdue": "9c1a6f38-5a4d-4c25-a1c1-7d5e2d6f2b77",
}


@pytest.fixture
def notify_app(database_url, tmp_path, httpserver):
    settings = reminder_settings_from(
        {
            "NOTIFY_API_KEY": f"tracker_test-{SERVICE_ID}-{SECRET}",
            "NOTIFY_TEMPLATE_BEFORE_DUE": TEMPLATES["before_due"],
            "NOTIFY_TEMPLATE_DUE_TODAY": TEMPLATES["due_today"],
            "NOTIFY_TEMPLATE_OVERDUE": TEMPLATES["overdue"],
            "NOTIFY_BASE_URL": httpserver.url_for("/").rstrip("/"),
            "PUBLIC_URL": PUBLIC_URL,
        }
    )
    assert settings["REMINDER_SENDER"] == "notify"
    application = make_app(database_url, tmp_path / "notify", **settings)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_notify_gets_each_reminder_with_its_stage_template_and_a_signed_token(
    notify_app, app, plan, httpserver
):
    received = []

    def accept(request):
        from werkzeug.wrappers import Response

        received.append(request)
        return Response('{"id": "a1b2"}', status=201, content_type="application/json")

    httpserver.expect_request("/v2/notifications/email", method="POST").respond_with_handler(accept)
    result = run(notify_app, DUE + timedelta(days=1))
    assert result.exit_code == 0, result.output
    assert "Reminders: 2 sent." in result.output
    bodies = {request.get_json()["email_address"]: request for request in received}
    pat = bodies["pat@police.example"].get_json()
    assert pat["template_id"] == TEMPLATES["overdue"]
    assert pat["personalisation"]["name"] == "Pat Police"
    assert pat["personalisation"]["action_count"] == "2"
    assert pat["personalisation"]["actions"][0] == "Speed checks near schools (Road Safety)"
    assert pat["reference"].endswith("-overdue")
    token = bodies["pat@police.example"].headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID


def test_a_notify_refusal_is_recorded_and_retried(notify_app, app, session, plan, httpserver):
    httpserver.expect_request("/v2/notifications/email", method="POST").respond_with_json(
        {
            "status_code": 400,
            "errors": [{"error": "BadRequestError", "message": "Can't send to this recipient"}],
        },
        status=400,
    )
    result = run(notify_app, DUE)
    assert result.exit_code == 1
    assert "GOV.UK Notify: 400" in result.output
    session.expire_all()
    failures = session.scalars(select(Reminder)).all()
    assert {f.status for f in failures} == {"failed"}
    assert "Can't send to this recipient" in failures[0].last_error

    httpserver.clear()
    httpserver.expect_request("/v2/notifications/email", method="POST").respond_with_json(
        {"id": "ok"}, status=201
    )
    assert "Reminders: 2 sent." in run(notify_app, DUE).output


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"REMINDER_SENDER": "pigeon"}, "REMINDER_SENDER must be smtp or notify"),
        ({"SMTP_HOST": "relay.example.org"}, "MAIL_FROM must be the address"),
        (
            {"SMTP_HOST": "relay", "MAIL_FROM": "t@example.org", "SMTP_SECURITY": "tls1"},
            "SMTP_SECURITY must be starttls, ssl or none",
        ),
        (
            {"SMTP_HOST": "relay", "MAIL_FROM": "t@example.org", "SMTP_USERNAME": "u"},
            "SMTP_USERNAME is set but SMTP_PASSWORD is not",
        ),
        ({"NOTIFY_API_KEY": "not-a-key"}, "NOTIFY_API_KEY is missing or not"),
        (
            {"NOTIFY_API_KEY": f"k-{SERVICE_ID}-{SECRET}"},
            "NOTIFY_TEMPLATE_BEFORE_DUE must be the id",
        ),
        ({"PUBLIC_URL": "tracker.example.org"}, "PUBLIC_URL must be the tracker's address"),
    ],
)
def test_mail_settings_are_checked_at_start(environment, message):
    with pytest.raises(ConfigError, match=message):
        reminder_settings_from(environment)


def test_smtp_defaults_to_starttls_on_587():
    settings = reminder_settings_from({"SMTP_HOST": "relay", "MAIL_FROM": "t@example.org"})
    assert (settings["SMTP_SECURITY"], settings["SMTP_PORT"]) == ("starttls", 587)
    assert reminder_settings_from({})["REMINDER_SENDER"] is None
