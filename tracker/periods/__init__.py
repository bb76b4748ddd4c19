"""Reporting periods and the outstanding-updates chase list."""
