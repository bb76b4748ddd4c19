"""Forms for a plan's structure. They carry what was typed; tracker.structure.services
checks it (blank and duplicate names, leads, polarity), so the rules live in one place."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from tracker.widgets import loaded_version_field


class PriorityForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput())
    description = TextAreaField("Description (optional)", widget=GovTextArea())
    includes = TextAreaField("What it includes (optional)", widget=GovTextArea())
    lead_role = StringField("Lead role (optional)", widget=GovTextInput())
    # Any posted id reaches the service, which names a person who cannot lead.
    leads = SelectMultipleField("Leads", widget=GovCheckboxesInput(), validate_choice=False)
    sign_off_by = SelectField("Sign-off person", widget=GovSelect(), validate_choice=False)
    # Shown in a draft refresh only; the service checks what was posted.
    predecessors = SelectMultipleField(
        "Continues", widget=GovCheckboxesInput(), validate_choice=False
    )
    version = loaded_version_field()
    submit = SubmitField("Save priority", widget=GovSubmitInput())


class ThemeForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput())
    description = TextAreaField("Description (optional)", widget=GovTextArea())
    predecessors = SelectMultipleField(
        "Continues", widget=GovCheckboxesInput(), validate_choice=False
    )
    version = loaded_version_field()
    submit = SubmitField("Save theme", widget=GovSubmitInput())


POLARITY_CHOICES = [
    SelectChoice("lower_is_better", "A fall is better (for example, crimes or casualties)"),
    SelectChoice("higher_is_better", "A rise is better (for example, referrals or people reached)"),
]


class IndicatorForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput())
    priority = SelectField("Priority", widget=GovSelect(), validate_choice=False)
    unit = StringField("Unit (optional)", widget=GovTextInput())
    polarity = RadioField(
        "Which direction is better",
        choices=POLARITY_CHOICES,
        widget=GovRadioInput(),
        validate_choice=False,
    )
    source = StringField("Source (optional)", widget=GovTextInput())
    version = loaded_version_field()
    submit = SubmitField("Save indicator", widget=GovSubmitInput())


class RetirePriorityForm(FlaskForm):
    what_happens = RadioField(
        "What happens to its active actions",
        widget=GovRadioInput(),
        validate_choice=False,
    )
    move_to = SelectField("Priority the actions move to", widget=GovSelect(), validate_choice=False)
    version = loaded_version_field()
    submit = SubmitField("Retire priority", widget=GovSubmitInput())


class RetireThemeForm(FlaskForm):
    what_happens = RadioField(
        "What happens to its active actions",
        widget=GovRadioInput(),
        validate_choice=False,
    )
    replace_with = SelectField(
        "Theme that takes its place", widget=GovSelect(), validate_choice=False
    )
    version = loaded_version_field()
    submit = SubmitField("Retire theme", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that changes something: a move, or retiring an indicator."""

    version = loaded_version_field()
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class RetireIndicatorForm(FlaskForm):
    version = loaded_version_field()
    submit = SubmitField("Retire indicator", widget=GovSubmitInput())


class OrganisationForm(FlaskForm):
    name = StringField("Organisation name", widget=GovTextInput())
    short_name = StringField("Short name (optional)", widget=GovTextInput())
    version = loaded_version_field()
    submit = SubmitField("Save organisation", widget=GovSubmitInput())
