"""The periodic update report for the partnership board."""
