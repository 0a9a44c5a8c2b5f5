"""Audit log: who changed what in a cohort, when, from what to what."""
