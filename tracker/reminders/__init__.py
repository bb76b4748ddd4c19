"""E-mail reminders to the people who owe an update, sent once per stage of a period."""
