"""Creating a plan."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from tracker.widgets import DateInput


class RealDateField(DateField):
    """A day, month and year that must make a real date, said in the design system's words."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as not_a_date:
            raise ValueError("Enter a real date, for example 1 4 2027") from not_a_date


class PlanForm(FlaskForm):
    name = StringField(
        "Name of the plan",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the plan's name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="The description must be 2,000 characters or fewer")],
    )
    version_label = StringField(
        "Year or label of this version",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the year the plan covers, for example 2026/27"),
            Length(max=100, message="The label must be 100 characters or fewer"),
        ],
    )
    effective_from = RealDateField(
        "Effective from",
        widget=DateInput(),
        format="%d %m %Y",
        validators=[InputRequired(message="Enter the date the plan takes effect")],
    )
    submit = SubmitField("Create plan", widget=GovSubmitInput())
