"""The reporting period form."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Optional

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
