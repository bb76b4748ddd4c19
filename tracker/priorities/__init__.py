"""A priority's page: its status, context narrative, indicators and trend."""
