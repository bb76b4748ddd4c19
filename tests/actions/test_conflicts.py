"""No lost updates: of two saves from the same loaded state, the second is refused."""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.conftest import csrf_token_from, form_value, sign_in
from tracker.models import Action, Priority, Update
from tracker.plans.demo_content import DEMO_PASSWORD


@pytest.fixture
def action(session, demo_plan):
    return session.scalar(
        select(Action)
        .join(Priority)
        .where(Priority.name == "Anti-Social Behaviour")
        .order_by(Action.position)
    )


def updates_of(session, action) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).where(Update.action_id == action.id))


def test_second_save_from_the_same_page_is_refused_with_the_other_update(app, session, action):
    first, second = app.test_client(), app.test_client()
    sign_in(first, "lead.police@example.org", DEMO_PASSWORD)
    sign_in(second, "coordinator@example.org", DEMO_PASSWORD)
    page_one = first.get(f"/actions/{action.id}").get_data(as_text=True)
    page_two = second.get(f"/actions/{action.id}").get_data(as_text=True)
    before = updates_of(session, action)

    saved = first.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": csrf_token_from(page_one),
            "version": form_value(page_one, "version"),
            "rag": "green",
            "progress_text": "Six webinars now booked with partners.",
        },
    )
    assert saved.status_code == 303

    refused = second.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": csrf_token_from(page_two),
            "version": form_value(page_two, "version"),
            "rag": "amber",
            "progress_text": "My own words about the webinars.",
        },
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else updated this action while you were writing" in html
    assert "Jordan Reid" in html and "Six webinars now booked with partners." in html
    assert "My own words about the webinars." in html, "the second person's text is kept"
    assert updates_of(session, action) == before + 1

    assert form_value(html.split('id="add-update-heading"')[1], "version") == str(action.version)
    resubmitted = second.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": csrf_token_from(html),
            "version": form_value(html, "version"),
            "rag": "amber",
            "progress_text": "My own words about the webinars.",
        },
    )
    assert resubmitted.status_code == 303, "the refreshed form saves"
    assert updates_of(session, action) == before + 2


def test_conflict_in_place_is_a_409_card_htmx_will_swap(app, session, action):
    first, second = app.test_client(), app.test_client()
    sign_in(first, "lead.police@example.org", DEMO_PASSWORD)
    sign_in(second, "coordinator@example.org", DEMO_PASSWORD)
    forms = [
        c.get(f"/actions/{action.id}/update-form", headers={"HX-Request": "true"}).get_data(
            as_text=True
        )
        for c in (first, second)
    ]
    for client, form, text in zip(
        (first, second), forms, ("First in wins the race.", "Second one loses it."), strict=True
    ):
        response = client.post(
            f"/actions/{action.id}/updates",
            headers={"HX-Request": "true"},
            data={
                "csrf_token": csrf_token_from(form),
                "version": form_value(form, "version"),
                "rag": "green",
                "progress_text": text,
            },
        )
    assert response.status_code == 409
    assert "Second one loses it." in response.get_data(as_text=True)


def test_ten_simultaneous_saves_against_a_running_server_exactly_one_wins(app, session, action):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    before = updates_of(session, action)

    def browser():
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/login").read().decode()
        body = urllib.parse.urlencode(
            {
                "email": "coordinator@example.org",
                "password": DEMO_PASSWORD,
                "csrf_token": csrf_token_from(page),
            }
        )
        opener.open(f"{base}/login", body.encode()).read()
        return opener

    browsers = [browser() for _ in range(10)]
    forms = [b.open(f"{base}/actions/{action.id}").read().decode() for b in browsers]
    assert len({form_value(f, "version") for f in forms}) == 1, "all loaded at the same state"
    ready = threading.Barrier(10)
    outcomes: list[int] = []

    def save(opener, form, number):
        body = urllib.parse.urlencode(
            {
                "csrf_token": csrf_token_from(form),
                "version": form_value(form, "version"),
                "rag": "amber",
                "progress_text": f"Concurrent save number {number}",
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/actions/{action.id}/updates", data=body, headers={"HX-Request": "true"}
        )
        ready.wait()
        try:
            outcomes.append(opener.open(request, timeout=30).status)
        except urllib.error.HTTPError as error:
            outcomes.append(error.code)

    threads = [
        threading.Thread(target=save, args=(b, f, n))
        for n, (b, f) in enumerate(zip(browsers, forms, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.shutdown()
    assert sorted(outcomes) == [200] + [409] * 9
    assert updates_of(session, action) == before + 1
