"""Every state-changing route refuses a request without a valid CSRF token, changing nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.auth.test_access_matrix import client_for, demo  # noqa: F401  (fixture)
from tracker.extensions import db


def row_counts(session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_every_post_route_refuses_a_missing_or_forged_token(app, session, demo):  # noqa: F811
    admin, _token = client_for(app, "admin")
    coordinator, _ = client_for(app, "coordinator")
    before = row_counts(session)
    post_routes = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(post_routes) >= 10
    for rule in post_routes:
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(demo[m.group(1)]), rule.rule)
        for client in (admin, coordinator):
            for data in ({}, {"csrf_token": "forged-token"}):
                response = client.post(
                    url, data={**data, "rag": "green", "progress_text": "Sneaky change here"}
                )
                assert response.status_code == 400, f"{url}: {response.status_code}"
            htmx = client.post(url, headers={"HX-Request": "true", "X-CSRFToken": "forged"})
            assert htmx.status_code == 400, url
    assert row_counts(session) == before
    assert admin.get("/account").status_code == 200, "refused requests did not sign anyone out"


def test_htmx_requests_send_the_token_in_a_header(app, session, demo):  # noqa: F811
    coordinator, _ = client_for(app, "coordinator")
    html = coordinator.get("/account").get_data(as_text=True)
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", html).group(1)
    response = coordinator.post(
        f"/actions/{demo['action_id']}/updates",
        data={"rag": "green", "progress_text": "Sent the way htmx sends it", "version": "1"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "updateSaved" in response.headers["HX-Trigger"]
