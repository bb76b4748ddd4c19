"""The plan's reminder settings."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from tracker.models import MAX_REMINDER_DAYS_BEFORE


class ReminderSettingsForm(FlaskForm):
    enabled = BooleanField("Send e-mail reminders for this plan", widget=GovCheckboxInput())
    days_before = IntegerField(
        "Days before the due date for the first reminder",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter how many days before the due date, such as 7"),
            NumberRange(
                min=1,
                max=MAX_REMINDER_DAYS_BEFORE,
                message=f"Enter a number of days from 1 to {MAX_REMINDER_DAYS_BEFORE}",
            ),
        ],
    )
    submit = SubmitField("Save reminder settings", widget=GovSubmitInput())
