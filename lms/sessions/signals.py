"""Signals the sessions domain sends; higher domains (and notifications' handlers) connect."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent after a session's date/time or meeting URL changed (flushed, not yet committed).
# sender: the WorkshopSession; kwargs: cohort, actor (User or None), changed (a set of
# "time" and/or "meeting_url"), old_starts_at, old_ends_at, old_meeting_url.
session_rescheduled = _signals.signal("session-rescheduled")
