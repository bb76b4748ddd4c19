"""Admin forms: users and organisations."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from tracker.auth.forms import email_field

ROLE_CHOICES = [
    SelectChoice("viewer", "Viewer – reads everything, changes nothing"),
    SelectChoice("lead", "Lead – updates the actions under the priorities they lead"),
    SelectChoice(
        "coordinator", "Coordinator – edits every action; manages periods, indicators and reports"
    ),
    SelectChoice("admin", "Admin – users, organisations and plan structure"),
]


class UserForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the person's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    email = email_field("Enter the person's email address")
    role = RadioField(
        "Role",
        choices=ROLE_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose a role")],
    )
    organisation = SelectField("Organisation", widget=GovSelect(), validators=[Optional()])
    lead_of = SelectMultipleField(
        "Priorities this person leads", widget=GovCheckboxesInput(), validators=[Optional()]
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class OrganisationForm(FlaskForm):
    name = StringField(
        "Organisation name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the organisation's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    short_name = StringField(
        "Short name",
        widget=GovTextInput(),
        validators=[Length(max=50, message="Short name must be 50 characters or fewer")],
    )
    submit = SubmitField("Add organisation", widget=GovSubmitInput())
