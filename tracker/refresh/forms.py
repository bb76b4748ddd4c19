"""Forms of the refresh. The rules (labels, dates, decisions) live in tracker.refresh.services."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from tracker.plans.forms import RealDateField
from tracker.widgets import DateInput


class RefreshForm(FlaskForm):
    label = StringField("Year or label of the new version", widget=GovTextInput())
    effective_from = RealDateField(
        "Effective from",
        widget=DateInput(),
        format="%d %m %Y",
        validators=[InputRequired(message="Enter the date the new version takes effect")],
    )
    agreement_version = StringField("Agreement version number (optional)", widget=GovTextInput())
    submit = SubmitField("Start the refresh", widget=GovSubmitInput())


class PublishForm(FlaskForm):
    notes = TextAreaField("Other changes to the agreement (optional)", widget=GovTextArea())
    submit = SubmitField("Publish the new version", widget=GovSubmitInput())


class DiscardForm(FlaskForm):
    confirm = BooleanField(
        "Yes, discard this draft and everything decided in it",
        widget=GovCheckboxInput(),
        validators=[InputRequired(message="Tick the box to confirm you want to discard the draft")],
    )
    submit = SubmitField("Discard the draft", widget=GovSubmitInput())
