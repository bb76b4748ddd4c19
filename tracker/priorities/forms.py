"""Forms for indicator readings and a priority's context narrative.

Numbers and periods are checked by the services, so the rules live in one place; the forms
only carry what was typed.
"""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from tracker.priorities.services import DEFAULT_COMPARISON_LABEL, MAX_NARRATIVE_LENGTH
from tracker.widgets import loaded_version_field


class ReadingForm(FlaskForm):
    # Any posted id reaches the service, which says so if it is not a period of this plan.
    period = SelectField("Reporting period", widget=GovSelect(), validate_choice=False)
    value = StringField("Value", widget=GovTextInput())
    comparison_value = StringField("Comparison value (optional)", widget=GovTextInput())
    comparison_label = StringField(
        "Compared with", widget=GovTextInput(), default=DEFAULT_COMPARISON_LABEL
    )
    note = TextAreaField("Note (optional)", widget=GovTextArea())
    version = loaded_version_field()
    submit = SubmitField("Save value", widget=GovSubmitInput())


class NarrativeForm(FlaskForm):
    body = TextAreaField("Context", widget=GovCharacterCount())
    sources = TextAreaField("Source notes (optional)", widget=GovTextArea())
    version = loaded_version_field()
    submit = SubmitField("Save context", widget=GovSubmitInput())

    max_length = MAX_NARRATIVE_LENGTH
