"""The decision log, escalation records and their migrations."""
