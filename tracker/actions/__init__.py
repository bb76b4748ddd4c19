"""Actions: the action page and progress updates."""
