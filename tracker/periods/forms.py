"""The reporting period form."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from tracker.periods.services import FREQUENCIES
from tracker.plans.forms import RealDateField
from tracker.widgets import DateInput


class PeriodForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter a name, for example Oct–Nov 2026")],
    )
    start_date = DateField(
        "Start date",
        widget=DateInput(),
        format="%d %m %Y",
        validators=[InputRequired(message="Enter the start date")],
    )
    end_date = DateField(
        "End date",
        widget=DateInput(),
        format="%d %m %Y",
        validators=[InputRequired(message="Enter the end date")],
    )
    due_date = DateField(
        "Updates due by",
        widget=DateInput(),
        format="%d %m %Y",
        validators=[Optional()],
    )
    submit = SubmitField("Add period", widget=GovSubmitInput())


class YearOfPeriodsForm(FlaskForm):
    """A whole year of periods at once; tracker.periods.services checks the choices."""

    frequency = RadioField(
        "How often",
        choices=[SelectChoice(key, label) for key, label in FREQUENCIES.items()],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    first_day = RealDateField(
        "First day of the first period",
        widget=DateInput(),
        format="%d %m %Y",
        validators=[InputRequired(message="Enter the first day of the first period")],
    )
    due_after_days = IntegerField(
        "Updates due, in days after each period ends",
        widget=GovTextInput(),
        default=14,
        validators=[Optional()],
    )
    submit = SubmitField("Add a year of periods", widget=GovSubmitInput())


class ReopenForm(FlaskForm):
    """Why a closed period is being reopened; tracker.periods.services checks the length."""

    reason = TextAreaField(
        "Why is the period being reopened?",
        widget=GovTextArea(),
        validators=[DataRequired(message="Say why the period is being reopened")],
    )
    submit = SubmitField("Reopen the period", widget=GovSubmitInput())
