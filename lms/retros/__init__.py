"""Retrospectives: a KPT/YWT board per team per session, votes and carried-forward actions."""
