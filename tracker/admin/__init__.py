"""Administration: users, organisations and the audit log."""
