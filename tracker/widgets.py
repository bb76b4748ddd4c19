"""Form widgets and fields shared by the features."""

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import IntegerField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput


class DateInput(GovDateInput):
    """GOV.UK day/month/year inputs that also cope with a form posted without them."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> Any:
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None  # fall back to the field's value, as on first display
        return super().map_gov_params(field, **kwargs)


def loaded_version_field() -> IntegerField:
    """A record's version when its form was loaded, compared on save: of two people saving
    from the same loaded state, the second is told rather than silently overwriting."""
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


def offer_saved_version(form: FlaskForm, version: int | None) -> None:
    """After a conflict the form carries the saved version, so saving again is a real choice."""
    form.version.data = version
    form.version.raw_data = None  # otherwise the field would render the stale posted value
