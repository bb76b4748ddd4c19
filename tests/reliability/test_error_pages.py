"""Error pages: a fault anywhere gives a page that says what happened, never a traceback."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import make_app
from tracker.auth.access import public
from tracker.extensions import db


@pytest.fixture
def failing_app(database_url, tmp_path):
    """The app as served (exceptions are not passed to the test), with a route that fails."""
    application = make_app(database_url, tmp_path / "instance", PROPAGATE_EXCEPTIONS=False)

    @public
    def broken() -> str:
        raise RuntimeError("a fault deep in some service")

    @public
    def bad_query() -> str:
        db.session.execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    application.add_url_rule("/broken-for-the-test", view_func=broken)
    application.add_url_rule("/bad-query-for-the-test", view_func=bad_query)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_server_error_gets_a_page_that_says_what_to_do(failing_app):
    response = failing_app.test_client().get("/broken-for-the-test")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "your last change may not have been saved" in html
    assert "a fault deep in some service" not in html and "Traceback" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_a_fault_in_a_query_is_a_server_error_not_busy(failing_app):
    """Only a lock or a lost connection is "busy, try again": a broken query is our fault."""
    response = failing_app.test_client().get("/bad-query-for-the-test")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_a_refused_request_says_why(app, session):
    from tests.conftest import client_signed_in_as
    from tests.support.factories import make_user
    from tracker.models import Role

    admin = make_user(session, role=Role.ADMIN, two_factor=True)
    session.commit()
    client = client_signed_in_as(app, admin.email)
    response = client.get("/admin/audit?page=5")
    assert response.status_code == 404
    assert "There is no page 5 of this list: it has 1 page." in response.get_data(as_text=True)
