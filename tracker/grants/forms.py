"""Forms for a grant pot and its projects. Money is typed as people write it ("£6,000")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.grants.services import NotMoney, is_financial_year, parse_money
from tracker.models import GrantStatus
from tracker.widgets import DateInput, loaded_version_field

MONEY_MESSAGE = "Enter the amount in pounds, like 6000 or £6,000.50"


class MoneyField(StringField):
    """Pounds typed as text; `data` is a Decimal, or None when nothing was typed."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        typed = str(valuelist[0]).strip() if valuelist else ""
        if typed:
            try:
                self.data = parse_money(typed)
            except NotMoney:
                raise ValueError(MONEY_MESSAGE) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if isinstance(self.data, Decimal):
            whole = self.data == self.data.to_integral_value()
            return f"{self.data:,.0f}" if whole else f"{self.data:,.2f}"
        return ""


class WholeNumberField(IntegerField):
    """A count typed as digits (commas allowed: "8,000"), with a message people understand."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        typed = str(valuelist[0]).strip().replace(",", "") if valuelist else ""
        if typed:
            if not typed.isdigit():
                raise ValueError(WHOLE_NUMBER_MESSAGE)
            self.data = int(typed)


WHOLE_NUMBER_MESSAGE = "Enter a whole number, like 8000"


def _longest(limit: int, what: str) -> Length:
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")


class PotForm(FlaskForm):
    funder = StringField(
        "Funder",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter who gives the grant"), _longest(200, "The funder")],
    )
    financial_year = StringField(
        "Financial year",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the financial year, like 2026/27")],
    )
    amount = MoneyField(
        "Amount", widget=GovTextInput(), validators=[DataRequired(message=MONEY_MESSAGE)]
    )
    notes = TextAreaField(
        "Notes", widget=GovCharacterCount(), validators=[_longest(2_000, "The notes")]
    )
    version = loaded_version_field()
    submit = SubmitField("Save grant", widget=GovSubmitInput())

    def validate_financial_year(self, field: StringField) -> None:
        if field.data and not is_financial_year(field.data):
            raise ValidationError("Enter the financial year as two years, like 2026/27")


class ProjectForm(FlaskForm):
    name = StringField(
        "Project name",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the project's name"), _longest(200, "The name")],
    )
    amount = MoneyField(
        "Amount awarded", widget=GovTextInput(), validators=[DataRequired(message=MONEY_MESSAGE)]
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[SelectChoice(status.value, status.label) for status in GrantStatus],
        default=GrantStatus.PROPOSED.value,
    )
    priorities = SelectMultipleField(
        "Priorities it supports", widget=GovCheckboxesInput(), coerce=int
    )
    lead_organisation = StringField(
        "Lead organisation", widget=GovTextInput(), validators=[_longest(200, "The organisation")]
    )
    start_date = DateField(
        "Start date", widget=DateInput(), format="%d %m %Y", validators=[Optional()]
    )
    end_date = DateField("End date", widget=DateInput(), format="%d %m %Y", validators=[Optional()])
    achieved = TextAreaField(
        "What it achieved",
        widget=GovCharacterCount(),
        validators=[_longest(3_000, "What it achieved")],
    )
    reach = WholeNumberField(
        "Number reached",
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(min=0, max=100_000_000, message=WHOLE_NUMBER_MESSAGE),
        ],
    )
    reach_measure = StringField(
        "What the number counts",
        widget=GovTextInput(),
        validators=[_longest(100, "What the number counts")],
    )
    over_allocation_reason = TextAreaField(
        "Why allocate more than the grant?",
        widget=GovTextArea(),
        validators=[_longest(1_000, "The reason")],
    )
    version = loaded_version_field()
    submit = SubmitField("Save project", widget=GovSubmitInput())

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The end date must be the same as or after the start date")

    def validate_reach_measure(self, field: StringField) -> None:
        if self.reach.data is not None and not (field.data or "").strip():
            raise ValidationError("Enter what the number counts, like attendees")
