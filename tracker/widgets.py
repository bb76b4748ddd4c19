"""Form widgets shared by the features."""

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput


class DateInput(GovDateInput):
    """GOV.UK day/month/year inputs that also cope with a form posted without them."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> Any:
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None  # fall back to the field's value, as on first display
        return super().map_gov_params(field, **kwargs)
