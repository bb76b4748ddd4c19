"""Fault drills against the app as it is served: gunicorn worker processes over HTTP.

Each drill counts what was sent, what the server acknowledged and what the database holds:
nothing acknowledged may be lost and nothing may be stored twice.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg
import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import csrf_token_from, form_value, make_app
from tests.support.databases import migrate_to_head
from tests.support.postgres import ThrowawayPostgres
from tests.support.served import csrf_token, gunicorn_serving, person
from tracker.extensions import db
from tracker.models import Action, Priority, Update
from tracker.plans.demo import load_demo_plan
from tracker.plans.demo_content import DEMO_PASSWORD

COORDINATOR = "coordinator@example.org"


def signed_in(base_url: str, email: str = COORDINATOR) -> requests.Session:
    http = person()
    response = http.post(
        f"{base_url}/login",
        data={
            "email": email,
            "password": DEMO_PASSWORD,
            "csrf_token": csrf_token(http, f"{base_url}/login"),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, f"{email} could not sign in"
    return http


def update_form(http: requests.Session, base_url: str, action_id: int) -> dict[str, str]:
    page = http.get(f"{base_url}/actions/{action_id}", timeout=30).text
    return {"csrf_token": csrf_token_from(page), "version": form_value(page, "version")}


def save_update(
    http: requests.Session, base_url: str, action_id: int, form: dict[str, str], text: str
) -> requests.Response:
    return http.post(
        f"{base_url}/actions/{action_id}/updates",
        data={**form, "rag": "amber", "progress_text": text},
        allow_redirects=False,
        timeout=60,
    )


def stored_texts(session, action_ids) -> Counter[str]:
    session.expire_all()
    return Counter(
        session.scalars(select(Update.progress_text).where(Update.action_id.in_(action_ids)))
    )


@pytest.fixture
def demo_actions(session, demo_plan) -> list[int]:
    return list(
        session.scalars(
            select(Action.id).join(Priority).where(Action.state == "active").order_by(Action.id)
        )
    )


@contextmanager
def write_lock_held(database_url: str) -> Iterator[None]:
    """Another connection holding the lock a save needs, as a long export or backup might."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
    else:
        plain = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain) as connection:
            connection.execute("LOCK TABLE action IN EXCLUSIVE MODE")
            yield
            connection.rollback()


def test_ten_concurrent_saves_of_one_loaded_version_exactly_one_wins(
    session, database_url, demo_actions
):
    action_id = demo_actions[0]
    before = stored_texts(session, [action_id])
    with gunicorn_serving(database_url, workers=4, threads=4) as served:
        people = [signed_in(served.base_url) for _ in range(10)]
        forms = [update_form(http, served.base_url, action_id) for http in people]
        assert len({form["version"] for form in forms}) == 1, "all loaded the same version"
        start = threading.Barrier(10)

        def save(number: int) -> int:
            start.wait()
            text = f"Concurrent save {number}"
            return save_update(
                people[number], served.base_url, action_id, forms[number], text
            ).status_code

        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = sorted(pool.map(save, range(10)))
    assert answers == [303] + [409] * 9
    assert sum((stored_texts(session, [action_id]) - before).values()) == 1


def test_a_save_waits_out_a_short_lock_and_is_stored(session, database_url, demo_actions):
    action_id = demo_actions[0]
    with gunicorn_serving(database_url, workers=2, DATABASE_BUSY_SECONDS="5") as served:
        http = signed_in(served.base_url)
        form = update_form(http, served.base_url, action_id)
        with write_lock_held(database_url):
            started = time.monotonic()
            outcome: dict[str, requests.Response] = {}
            saving = threading.Thread(
                target=lambda: outcome.update(
                    response=save_update(
                        http, served.base_url, action_id, form, "Saved after a wait"
                    )
                )
            )
            saving.start()
            time.sleep(1.0)  # the lock is held for a second while the save waits
        saving.join()
        waited = time.monotonic() - started
    assert outcome["response"].status_code == 303
    assert waited >= 1.0, "the save waited for the lock rather than failing"
    assert stored_texts(session, [action_id])["Saved after a wait"] == 1


def test_a_save_behind_a_held_lock_is_told_busy_and_nothing_is_saved(
    session, database_url, demo_actions
):
    action_id = demo_actions[0]
    with gunicorn_serving(database_url, workers=2, DATABASE_BUSY_SECONDS="0.5") as served:
        http = signed_in(served.base_url)
        form = update_form(http, served.base_url, action_id)
        with write_lock_held(database_url):
            busy = save_update(http, served.base_url, action_id, form, "Typed during the lock")
            in_place = http.post(
                f"{served.base_url}/actions/{action_id}/updates",
                data={**form, "rag": "amber", "progress_text": "Typed during the lock"},
                headers={"HX-Request": "true"},
                timeout=60,
            )
        assert busy.status_code == in_place.status_code == 503
        assert "The tracker is busy" in busy.text
        assert "Nothing was saved" in busy.text
        assert busy.headers["Retry-After"] == "5"
        assert stored_texts(session, [action_id])["Typed during the lock"] == 0
        again = save_update(http, served.base_url, action_id, form, "Typed during the lock")
    assert again.status_code == 303, "the same form saves once the lock is gone"
    assert stored_texts(session, [action_id])["Typed during the lock"] == 1


def test_a_worker_killed_in_a_burst_of_saves_loses_nothing_acknowledged(
    session, database_url, demo_actions
):
    people, saves_each = 4, 12
    action_ids = demo_actions[:people]
    sent: list[str] = []
    acknowledged: list[str] = []
    lock = threading.Lock()
    with gunicorn_serving(database_url, workers=3) as served:
        victim = served.worker_pids()[0]

        def burst(person: int) -> None:
            http = signed_in(served.base_url)
            for number in range(saves_each):
                text = f"Drill save {person}-{number}"
                try:
                    form = update_form(http, served.base_url, action_ids[person])
                    with lock:
                        sent.append(text)
                    response = save_update(http, served.base_url, action_ids[person], form, text)
                except requests.ConnectionError:
                    continue  # the worker died under this request: unacknowledged
                if response.status_code == 303:
                    with lock:
                        acknowledged.append(text)

        threads = [threading.Thread(target=burst, args=(person,)) for person in range(people)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < people * saves_each // 3:
            time.sleep(0.01)
        os.kill(victim, signal.SIGKILL)
        for thread in threads:
            thread.join()
        replaced = victim not in served.worker_pids()
    stored = stored_texts(session, action_ids)
    drill_texts = {text: count for text, count in stored.items() if text.startswith("Drill save")}
    lost = sorted(set(acknowledged) - set(drill_texts))
    twice = sorted(text for text, count in drill_texts.items() if count > 1)
    print(
        f"\nworker killed mid-burst: sent {len(sent)}, acknowledged {len(acknowledged)}, "
        f"stored {len(drill_texts)}, lost {len(lost)}, stored twice {len(twice)}"
    )
    assert replaced, "gunicorn replaced the killed worker"
    assert lost == []
    assert twice == []
    assert set(drill_texts) <= set(sent)
    assert len(acknowledged) >= people * saves_each // 3


@pytest.mark.backends("postgresql")
def test_postgresql_stopped_and_started_under_a_running_app(databases, tmp_path):
    server = ThrowawayPostgres(in_memory=True)
    server.start()
    try:
        with psycopg.connect(
            server.url().replace("postgresql+psycopg://", "postgresql://"), autocommit=True
        ) as admin:
            admin.execute("CREATE DATABASE drill")
        url = server.url("drill")
        migrate_to_head(url, tmp_path / "migrate")
        app = make_app(url, tmp_path / "instance")
        with app.app_context():
            load_demo_plan(db.session)
            db.session.commit()
            action_id = db.session.scalar(select(func.min(Action.id)))
            db.session.remove()
            db.engine.dispose()
        with gunicorn_serving(url, workers=2) as served:
            http = signed_in(served.base_url)
            form = update_form(http, served.base_url, action_id)
            assert http.get(f"{served.base_url}/", timeout=30).status_code == 200

            server.stop_server()
            started = time.monotonic()
            down = http.get(f"{served.base_url}/", timeout=30)
            saving = save_update(http, served.base_url, action_id, form, "Sent while down")
            answered_in = time.monotonic() - started
            print(f"\nPostgreSQL down: a page and a save answered 503 in {answered_in:.2f} s")
            assert down.status_code == saving.status_code == 503, served.log_text()[:6000]
            assert "Nothing was saved" in saving.text
            assert answered_in < 10, "a quick answer, not a hang"

            server.start_server()
            assert http.get(f"{served.base_url}/", timeout=30).status_code == 200
            assert (
                save_update(http, served.base_url, action_id, form, "Sent when back").status_code
                == 303
            )
        with app.app_context():
            texts = set(db.session.scalars(select(Update.progress_text)))
            db.session.remove()
            db.engine.dispose()
        assert "Sent when back" in texts
        assert "Sent while down" not in texts
    finally:
        server.stop()
