"""Forms for progress updates and for creating and editing actions."""

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from tracker.actions.services import MAX_PROGRESS_LENGTH
from tracker.models import Plan
from tracker.statuses import STATUS_LABELS, choose_message, definitions_of, scale_of
from tracker.widgets import DateInput, loaded_version_field


def _strip(text: str | None) -> str | None:
    return text.strip() if text else text


class UpdateForm(FlaskForm):
    # The choices, their definitions and the message come from the plan's scale (__init__);
    # record_update refuses a status the scale lacks, with the scale's own words.
    rag = RadioField("Status", choices=[], widget=GovRadioInput(), validate_choice=False)
    progress_text = TextAreaField(
        "Progress",
        widget=GovCharacterCount(),
        filters=[_strip],
        validators=[DataRequired(message="Describe the progress made")],
    )
    mitigation_text = TextAreaField(
        "If red: what is being done about it",
        widget=GovTextArea(),
        filters=[_strip],
        validators=[Optional()],
    )
    completes = BooleanField("This action is complete", widget=GovCheckboxInput())
    version = loaded_version_field()
    corrects = HiddenField()
    return_to = HiddenField()
    # The period the form said the update counts towards (the templates fill it in).
    period = HiddenField()
    submit = SubmitField("Save update", widget=GovSubmitInput())

    max_length = MAX_PROGRESS_LENGTH

    def __init__(self, *args: Any, action_id: int, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Several update forms can be open on one page (Your actions): every id, and so
        # every label, hint, character count and error-summary link, names its action.
        for field in self:
            field.id = f"{field.name}-{action_id}"
        # The plan's own scale, each status with what it means, at the point of choice.
        scale = scale_of(plan)
        definitions = definitions_of(plan)
        self.rag.choices = [SelectChoice(key, STATUS_LABELS[key]) for key in scale.choices]
        self.rag.validators = [InputRequired(message=choose_message(scale))]
        self.rag_items = [
            {
                "hint": {"text": definitions[key]},
                # The colour beside the word (the word is what counts: never colour alone).
                "html": Markup(
                    '<span class="app-rag-swatch app-rag-swatch--{}" aria-hidden="true"></span>{}'
                ).format(key, STATUS_LABELS[key]),
            }
            for key in scale.choices
        ]


class ActionForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[DataRequired(message="Enter a title for the action")],
    )
    description = TextAreaField("Description (optional)", widget=GovTextArea(), filters=[_strip])
    priority = SelectField(
        "Priority", widget=GovSelect(), validators=[InputRequired(message="Choose a priority")]
    )
    themes = SelectMultipleField(
        "Cross-cutting themes", widget=GovCheckboxesInput(), validators=[Optional()]
    )
    owner = SelectField("Owner organisation", widget=GovSelect(), validators=[Optional()])
    partners = SelectMultipleField(
        "Partner organisations", widget=GovCheckboxesInput(), validators=[Optional()]
    )
    responsible = SelectMultipleField(
        "Responsible people", widget=GovCheckboxesInput(), validators=[Optional()]
    )
    start_date = DateField(
        "Start date",
        widget=DateInput(),
        format="%d %m %Y",
        validators=[Optional()],
    )
    target_date = DateField(
        "Target date",
        widget=DateInput(),
        format="%d %m %Y",
        validators=[Optional()],
    )
    version = loaded_version_field()
    submit = SubmitField("Save action", widget=GovSubmitInput())
