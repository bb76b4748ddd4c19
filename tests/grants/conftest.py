"""Grant tests use the district partnership's own plan from the report tests."""

from tests.reports.conftest import district  # noqa: F401  (a fixture)
