"""The structure page runs the same number of queries however many priorities it lists."""

from __future__ import annotations

from tests.conftest import client_signed_in_as, queries_for
from tests.support.factories import make_plan_version, make_priority, make_user
from tests.support.paths import plan_path


def test_the_structure_page_query_count_does_not_grow_with_priorities(app, session):
    version = make_plan_version(session)
    lead = make_user(session, role="lead")
    make_user(session, email="coord@example.org", role="coordinator", two_factor=True)
    for _ in range(2):
        make_priority(session, plan_version=version, leads=[lead])
    session.commit()
    client = client_signed_in_as(app, "coord@example.org")
    few = queries_for(app, client, plan_path(version, "structure"))
    for _ in range(20):
        make_priority(session, plan_version=version, leads=[lead])
    session.commit()
    assert queries_for(app, client, plan_path(version, "structure")) == few
