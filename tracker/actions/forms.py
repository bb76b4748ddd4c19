"""The progress update form."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from tracker.actions.services import MAX_PROGRESS_LENGTH

RAG_CHOICES = [
    SelectChoice("green", "Green – on track, or done"),
    SelectChoice("amber", "Amber – in progress, some risk"),
    SelectChoice("red", "Red – unlikely to be delivered, or significant problems"),
]


class UpdateForm(FlaskForm):
    rag = RadioField(
        "Status",
        choices=RAG_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose red, amber or green")],
    )
    progress_text = TextAreaField(
        "Progress",
        widget=GovCharacterCount(),
        filters=[lambda text: text.strip() if text else text],
        validators=[DataRequired(message="Describe the progress made")],
    )
    submit = SubmitField("Save update", widget=GovSubmitInput())

    max_length = MAX_PROGRESS_LENGTH
