"""Importing an action plan from a spreadsheet: preview, problems, then one transaction."""
