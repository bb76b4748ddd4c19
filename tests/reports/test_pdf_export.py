"""The PDF export (WeasyPrint, from the print view), read back with pypdf."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from tests.reports.conftest import period_named
from tests.reports.readers import pdf_pages
from tests.support.factories import make_update
from tracker.dashboard.services import rollup
from tracker.models import Action, ActionState, Priority
from tracker.reports.document import draft_document
from tracker.reports.exports.pdf import render_pdf

# About how the file is laid out; the data it is made from is read on both databases by the
# other report tests.
pytestmark = pytest.mark.one_database

PUBLISHED = {"key": "published", "label": "Published", "note": ""}


@pytest.fixture
def pdf_of_draft(app, demo, draft):
    document = draft_document(demo, draft)
    document["status"] = PUBLISHED
    with app.test_request_context():
        return pdf_pages(render_pdf(document)), document


def test_every_page_has_the_classification_and_its_page_number(pdf_of_draft):
    pages, _document = pdf_of_draft
    assert len(pages) > 5
    for number, text in enumerate(pages, start=1):
        assert "For Decision" in text, number
        assert f"Page {number} of {len(pages)}" in text


def test_the_header_and_every_priority_and_action_are_in_the_pdf(demo, pdf_of_draft):
    pages, document = pdf_of_draft
    text = " ".join(pages)
    for expected in [
        "By: Sam Patel, Head of Community Safety Jordan Reid, Chair of the Working Group",
        "To: County Community Safety Partnership – 10 December 2026",
        "Classification: For Decision",
        "Subject: Action plan update",
        "1.0 Background",
        "1.1 The partnership agreed its priorities in March.",
        "6.2 Agree the revised road safety action.",
        "Attachments Appendix A: Action plan and performance summary",
    ]:
        assert expected in text

    priorities = demo.scalars(select(Priority).order_by(Priority.position, Priority.id)).all()
    # The last mention: the attachments list names the appendix first.
    appendix = text.split("Appendix A: Action plan and performance summary")[-1]
    positions = [appendix.index(f"{p.name} Lead:") for p in priorities]
    assert positions == sorted(positions), "every priority, in order"
    counted = demo.scalars(select(Action).where(Action.state != ActionState.CLOSED)).all()
    for action in counted:
        assert action.title in appendix, action.title

    # Each action's row: its title, owner, status word and progress, in that order.
    shown = Counter()
    for priority in document["content"]["priorities"]:
        for action in priority["actions"]:
            row = " ".join(
                [
                    action["title"],
                    action["owner"] or "–",
                    action["status_label"],
                    action["progress"],
                ]
            )
            assert row in appendix, row
            shown[action["status"]] += 1
    period = period_named(demo)
    assert shown == +Counter(rollup(demo, period.plan_version, period).priority_totals.counts)


def test_markup_typed_by_users_is_printed_as_text(app, demo, draft):
    typed = '<b>not bold</b> <img src="x.png"> & =SUM(A1)'
    draft.subject = "<i>Subject</i> £4,500 café naïve 🚦"
    action = demo.scalars(select(Action).order_by(Action.id)).first()
    make_update(demo, action=action, period=period_named(demo), progress_text=typed)
    demo.commit()
    document = draft_document(demo, draft)
    document["status"] = PUBLISHED
    with app.test_request_context():
        text = " ".join(pdf_pages(render_pdf(document)))
    assert typed in text
    assert "<i>Subject</i> £4,500 café naïve 🚦" in text


def test_very_long_progress_text_flows_over_pages_and_is_all_there(app, demo, draft):
    action = demo.scalars(select(Action).order_by(Action.id)).first()
    long_text = " ".join(f"word{number}" for number in range(6_000)) + " THE-END"
    make_update(demo, action=action, period=period_named(demo), progress_text=long_text)
    demo.commit()
    document = draft_document(demo, draft)
    document["status"] = PUBLISHED
    with app.test_request_context():
        pages = pdf_pages(render_pdf(document))
    text = " ".join(pages)
    assert "word0 word1" in text and "word5999 THE-END" in text
    assert len(pages) > 11
