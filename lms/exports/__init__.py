"""Organizer exports: pure (headers, rows) builders; the routes only authorize and send."""
