"""Everyone in the cohort hears when a session's time or meeting URL changes."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.cohorts.models import Cohort, Membership
from lms.extensions import db
from lms.notifications.services import notify
from lms.sessions.models import WorkshopSession
from lms.sessions.signals import session_rescheduled
from lms.timefmt import ja_datetime, ja_time


def notify_session_changed(ws: WorkshopSession, *, cohort: Cohort, actor: User | None,
                           changed: set[str], **_old) -> None:
    members = db.session.scalars(
        select(Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.cohort_id == cohort.id, User.active.is_(True)))
    parts = []
    if "time" in changed:
        parts.append(f"日時が{ja_datetime(ws.starts_at)}〜{ja_time(ws.ends_at)}に")
    if "meeting_url" in changed:
        parts.append("オンライン会議のURLが")
    text = f"{ws.label}「{ws.title}」の" + "、".join(parts) + "変更されました。"
    notify(list(members), "session_changed", text, f"/c/{cohort.slug}/sessions/{ws.number}",
           actor=actor, cohort_id=cohort.id)


def _on_rescheduled(ws, **kwargs) -> None:
    notify_session_changed(ws, **kwargs)


def connect_signals() -> None:
    """Called by create_app; connecting twice is harmless (blinker keeps one receiver)."""
    session_rescheduled.connect(_on_rescheduled)
