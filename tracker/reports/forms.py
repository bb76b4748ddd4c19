"""Forms for composing a board report.

A draft may be incomplete, so these forms only check what could never be saved (lengths, a
real date, a role without a name). What a report needs before it goes to the board is
checked on publishing, by tracker.reports.services.publish_problems.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
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
from tracker.widgets import DateInput, loaded_version_field

MAX_AUTHORS = 10
MAX_SECTIONS = 20
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


class SectionForm(Form):
    heading = StringField(
        "Heading", widget=GovTextInput(), validators=[_longest(200, "The heading")]
    )
    body = TextAreaField(
        "Text", widget=GovTextArea(), validators=[_longest(MAX_SECTION_LENGTH, "The text")]
    )

    def validate_heading(self, field: StringField) -> None:
        if not (field.data or "").strip() and (self.body.data or "").strip():
            raise ValidationError("Enter a heading for this section")


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
    contacts = TextAreaField(
        "For further information",
        widget=GovTextArea(),
        validators=[_longest(2_000, "The contacts")],
    )
    version = loaded_version_field()
    save = SubmitField("Save draft", widget=GovSubmitInput())
    add_author = SubmitField("Add another person", widget=GovSubmitInput())
    add_section = SubmitField("Add a section", widget=GovSubmitInput())

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
                {"heading": text(entry.data["heading"]), "body": text(entry.data["body"])}
                for entry in self.sections
                if text(entry.data["heading"]) or text(entry.data["body"])
            ],
            "recommendations": text(self.recommendations.data),
            "contacts": text(self.contacts.data),
        }


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
