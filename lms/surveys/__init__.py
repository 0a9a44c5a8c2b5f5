"""Feedback surveys after each session and at the end, their results and the export."""
