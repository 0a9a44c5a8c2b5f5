"""Cohort channels and team rooms."""
