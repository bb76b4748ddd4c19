"""The paper in the council's own shape: generated blocks placed by the coordinator in
sections or lettered appendices, an attachments list, and contacts as one block per person.

Existing reports keep the shape they had: their sections are followed by the action plan
progress (the RAG summary, what moved and any changes to the agreement, each now a section
of its own) and one appendix holding the action plan and performance summary. Each line of
the old free-text contacts becomes a contact with that line as its name.

Revision ID: 5c2f8a9e1d63
Revises: 3e8b6d1f7c25
Create Date: 2026-12-02 19:00:00

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c2f8a9e1d63"
down_revision = "3e8b6d1f7c25"
branch_labels = None
depends_on = None

report = sa.table(
    "report",
    sa.column("id", sa.Integer),
    sa.column("sections", sa.JSON),
    sa.column("contacts", sa.Text),
    sa.column("contact_people", sa.JSON),
    sa.column("appendices", sa.JSON),
)

FORMER_PROGRESS = [
    {"heading": "Action plan progress", "body": "", "block": "rag_summary"},
    {"heading": "What moved", "body": "", "block": "what_moved"},
    {"heading": "Changes to the agreement", "body": "", "block": "agreement_changes"},
]
FORMER_APPENDIX = [
    {"title": "Action plan and performance summary", "intro": "", "block": "action_plan"}
]
CONTACT_FIELDS = ("name", "role", "organisation", "email", "telephone")


def _loaded(value):
    return json.loads(value) if isinstance(value, str) else (value or [])


def upgrade():
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachments", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("contact_people", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("appendices", sa.JSON(), nullable=True))
    connection = op.get_bind()
    for row in connection.execute(sa.select(report.c.id, report.c.sections, report.c.contacts)):
        sections = [
            {**section, "block": section.get("block", "")} for section in _loaded(row.sections)
        ]
        people = [
            dict.fromkeys(CONTACT_FIELDS, "") | {"name": line.strip()}
            for line in (row.contacts or "").splitlines()
            if line.strip()
        ]
        connection.execute(
            report.update()
            .where(report.c.id == row.id)
            .values(
                sections=sections + FORMER_PROGRESS,
                contact_people=people,
                appendices=FORMER_APPENDIX,
            )
        )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.alter_column("contact_people", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("appendices", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("contacts")


def downgrade():
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contacts", sa.Text(), server_default="", nullable=False))
    connection = op.get_bind()
    for row in connection.execute(
        sa.select(report.c.id, report.c.sections, report.c.contact_people)
    ):
        lines = [
            ", ".join(value for value in person.values() if value)
            for person in _loaded(row.contact_people)
        ]
        sections = [
            {"heading": section.get("heading", ""), "body": section.get("body", "")}
            for section in _loaded(row.sections)
            if not section.get("block")
        ]
        connection.execute(
            report.update()
            .where(report.c.id == row.id)
            .values(sections=sections, contacts="\n".join(lines))
        )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("appendices")
        batch_op.drop_column("contact_people")
        batch_op.drop_column("attachments")
