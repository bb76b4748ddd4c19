"""Forms for composing a board report.

A draft may be incomplete, so these forms only check what could never be saved (lengths, a
real date, a role without a name). What a report needs before it goes to the board is
checked on publishing, by tracker.reports.services.publish_problems.
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.models import Classification
from tracker.reports.document import CONTACT_FIELDS, GENERATED_BLOCKS
from tracker.widgets import DateInput, loaded_version_field

MAX_AUTHORS = 10
MAX_SECTIONS = 20
MAX_APPENDICES = 10
MAX_CONTACTS = 10
MAX_SECTION_LENGTH = 20_000
MAX_SUMMARY_LENGTH = 5_000


def _longest(limit: int, what: str) -> Length:
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")


class AuthorForm(Form):
    name = StringField("Name", widget=GovTextInput(), validators=[_longest(200, "The name")])
    role = StringField("Role", widget=GovTextInput(), validators=[_longest(200, "The role")])

    def validate_name(self, field: StringField) -> None:
        if not (field.data or "").strip() and (self.role.data or "").strip():
            raise ValidationError("Enter the name of the person with this role")


def _block_choices() -> list[SelectChoice]:
    return [SelectChoice("", "None: written text only")] + [
        SelectChoice(block.key, block.label) for block in GENERATED_BLOCKS.values()
    ]


WRITING_HINT = (
    "Leave a blank line between paragraphs. Start a line with “## ” for a sub-heading or "
    "with “- ” for a bullet point; start a paragraph with “> ” to leave it unnumbered."
)


class SectionForm(Form):
    heading = StringField(
        "Heading", widget=GovTextInput(), validators=[_longest(200, "The heading")]
    )
    body = TextAreaField(
        "Text", widget=GovTextArea(), validators=[_longest(MAX_SECTION_LENGTH, "The text")]
    )
    block = SelectField(
        "Generated content", widget=GovSelect(), choices=_block_choices(), default=""
    )

    def validate_heading(self, field: StringField) -> None:
        if not (field.data or "").strip() and ((self.body.data or "").strip() or self.block.data):
            raise ValidationError("Enter a heading for this section")


class AppendixForm(Form):
    title = StringField("Title", widget=GovTextInput(), validators=[_longest(200, "The title")])
    intro = TextAreaField(
        "Introduction",
        widget=GovTextArea(),
        validators=[_longest(MAX_SECTION_LENGTH, "The introduction")],
    )
    block = SelectField(
        "Generated content", widget=GovSelect(), choices=_block_choices(), default=""
    )

    def validate_title(self, field: StringField) -> None:
        if not (field.data or "").strip() and ((self.intro.data or "").strip() or self.block.data):
            raise ValidationError("Enter a title for this appendix")


class ContactForm(Form):
    name = StringField("Name", widget=GovTextInput(), validators=[_longest(200, "The name")])
    role = StringField("Role", widget=GovTextInput(), validators=[_longest(200, "The role")])
    organisation = StringField(
        "Organisation", widget=GovTextInput(), validators=[_longest(200, "The organisation")]
    )
    email = StringField(
        "Email address", widget=GovTextInput(), validators=[_longest(254, "The email address")]
    )
    telephone = StringField(
        "Telephone", widget=GovTextInput(), validators=[_longest(40, "The telephone number")]
    )

    def validate_name(self, field: StringField) -> None:
        others = (self.role, self.organisation, self.email, self.telephone)
        if not (field.data or "").strip() and any((other.data or "").strip() for other in others):
            raise ValidationError("Enter the name of this contact")

    def validate_email(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if value and not _EMAIL.fullmatch(value):
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.org"
            )

    def validate_telephone(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if value and not _TELEPHONE.fullmatch(value):
            raise ValidationError(
                "Enter a telephone number, like 03000 123456, using digits, spaces and + ( ) -"
            )


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TELEPHONE = re.compile(r"\+?[0-9 ()\-]{6,30}(\s*(ext\.?|x)\s*[0-9]{1,6})?", re.IGNORECASE)


class NewReportForm(FlaskForm):
    period = SelectField("Reporting period", widget=GovSelect(), coerce=int)
    subject = StringField(
        "Subject",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the subject"), _longest(300, "The subject")],
    )
    submit = SubmitField("Start the draft", widget=GovSubmitInput())


class ReportForm(FlaskForm):
    """The whole draft. Its buttons: save, add a person or section, publish."""

    period = SelectField("Reporting period", widget=GovSelect(), coerce=int)
    authors = FieldList(FormField(AuthorForm), min_entries=1, max_entries=MAX_AUTHORS)
    meeting = StringField(
        "Meeting", widget=GovTextInput(), validators=[_longest(200, "The meeting")]
    )
    meeting_date = DateField(
        "Meeting date", widget=DateInput(), format="%d %m %Y", validators=[Optional()]
    )
    classification = RadioField(
        "Classification",
        widget=GovRadioInput(),
        choices=[SelectChoice(c.value, c.value) for c in Classification],
        default=Classification.FOR_INFORMATION.value,
    )
    subject = StringField(
        "Subject",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the subject"), _longest(300, "The subject")],
    )
    summary = TextAreaField(
        "Summary",
        widget=GovTextArea(),
        validators=[_longest(MAX_SUMMARY_LENGTH, "The summary")],
    )
    sections = FieldList(FormField(SectionForm), min_entries=1, max_entries=MAX_SECTIONS)
    recommendations = TextAreaField(
        "Recommendations",
        widget=GovTextArea(),
        validators=[_longest(MAX_SUMMARY_LENGTH, "The recommendations")],
    )
    attachments = TextAreaField(
        "Other attachments",
        widget=GovTextArea(),
        validators=[_longest(2_000, "The attachments")],
    )
    contacts = FieldList(FormField(ContactForm), min_entries=1, max_entries=MAX_CONTACTS)
    appendices = FieldList(FormField(AppendixForm), min_entries=1, max_entries=MAX_APPENDICES)
    version = loaded_version_field()
    save = SubmitField("Save draft", widget=GovSubmitInput())
    add_author = SubmitField("Add another person", widget=GovSubmitInput())
    add_section = SubmitField("Add a section", widget=GovSubmitInput())
    add_contact = SubmitField("Add another contact", widget=GovSubmitInput())
    add_appendix = SubmitField("Add an appendix", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        return self._each_block_placed_once() and valid

    def _each_block_placed_once(self) -> bool:
        """A generated block goes in one place: a second placing is an error on its field."""
        placed: dict[str, str] = {}
        ok = True
        for entries, kind in ((self.sections, "section"), (self.appendices, "appendix")):
            for index, entry in enumerate(entries, start=1):
                field = entry.form.block
                if not field.data:
                    continue
                if field.data not in placed:
                    placed[field.data] = f"{kind} {index}"
                    continue
                label = GENERATED_BLOCKS[field.data].label.split(" (")[0]
                field.errors = [
                    *field.errors,
                    f"{label} is already in {placed[field.data]}: choose one place for it",
                ]
                ok = False
                # WTForms keeps each subform's and list's errors from their own validation.
                entry.form._errors = None
                entries.errors = [each.errors for each in entries.entries]
                self._errors = None
        return ok

    def draft_values(self) -> dict[str, Any]:
        """What was typed, in the shape the Report model keeps."""

        def text(value: str | None) -> str:
            return (value or "").strip()

        return {
            "period_id": self.period.data,
            "authors": [
                {"name": text(entry.data["name"]), "role": text(entry.data["role"])}
                for entry in self.authors
                if text(entry.data["name"])
            ],
            "meeting": text(self.meeting.data),
            "meeting_date": self.meeting_date.data,
            "classification": self.classification.data,
            "subject": text(self.subject.data),
            "summary": text(self.summary.data),
            "sections": [
                {
                    "heading": text(entry.data["heading"]),
                    "body": text(entry.data["body"]),
                    "block": entry.data["block"] or "",
                }
                for entry in self.sections
                if text(entry.data["heading"]) or text(entry.data["body"]) or entry.data["block"]
            ],
            "recommendations": text(self.recommendations.data),
            "attachments": text(self.attachments.data),
            "contact_people": [
                {field: text(entry.data[field]) for field in CONTACT_FIELDS}
                for entry in self.contacts
                if text(entry.data["name"])
            ],
            "appendices": [
                {
                    "title": text(entry.data["title"]),
                    "intro": text(entry.data["intro"]),
                    "block": entry.data["block"] or "",
                }
                for entry in self.appendices
                if text(entry.data["title"]) or text(entry.data["intro"]) or entry.data["block"]
            ],
        }


class ConfirmPublishForm(FlaskForm):
    """The last step before a draft goes to the board: with gaps listed, they are accepted."""

    version = loaded_version_field()
    accept_gaps = BooleanField("Publish it with the gaps listed", widget=GovCheckboxInput())
    submit = SubmitField("Publish the report", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Why is it being withdrawn?",
        widget=GovTextArea(),
        validators=[
            DataRequired(message="Enter why the report is being withdrawn"),
            _longest(1_000, "The reason"),
        ],
    )
    submit = SubmitField("Withdraw report", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A button that changes a report and carries nothing but the CSRF token."""

    submit = SubmitField(widget=GovSubmitInput())


class WordTemplateForm(FlaskForm):
    # The file is read from request.files and checked by the Word exporter itself.
    submit = SubmitField("Upload template", widget=GovSubmitInput())
