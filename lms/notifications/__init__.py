"""Notifications: one model every feature notifies through, with per-user settings and mail."""
