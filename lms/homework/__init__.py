"""Homework: assignments per session, drafts, submissions with files, and trainer review."""
