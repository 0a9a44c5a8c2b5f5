"""Cohorts domain."""
