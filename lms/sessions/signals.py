"""What the sessions domain announces; higher domains connect handlers in create_app."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

session_rescheduled = _signals.signal("session-rescheduled", doc="""
A session's time or online-meeting URL changed. Sent inside the transaction (flushed, not yet
committed). Sender: the WorkshopSession. Keywords `old` and `new`: dicts with `starts_at`,
`ends_at`, `meeting_url`; also `cohort`, `actor` (User or None), `changed` (a set of "time"
and/or "meeting_url"), `old_starts_at`, `old_ends_at`, `old_meeting_url`.""")
