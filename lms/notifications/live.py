"""The bell's live count: after a commit that changed someone's notifications, emit to that
person's server-named room `user:<id>` on the default namespace (joined on connect)."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event, func, select

from lms.extensions import db, socketio
from lms.notifications.models import Notification
from lms.notifications.services import LIVE_KEY

log = logging.getLogger(__name__)
PAYLOAD_KEY = "notifications_payload"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def _before_commit(session) -> None:
    # SQL is still allowed here (not in after_commit): count each changed user's unread.
    changed = session.info.pop(LIVE_KEY, None)
    if not changed:
        return
    session.flush()
    counts = dict(session.execute(
        select(Notification.user_id, func.count(Notification.id))
        .where(Notification.user_id.in_(changed), Notification.read.is_(False))
        .group_by(Notification.user_id)).all())
    newest = select(func.max(Notification.id)).where(
        Notification.user_id.in_(changed), Notification.read.is_(False)
    ).group_by(Notification.user_id)
    latest = {note.user_id: {"id": note.id, "kind": note.kind, "text": note.text,
                             "url": note.url}
              for note in session.scalars(select(Notification).where(
                  Notification.id.in_(newest)))}
    session.info.setdefault(PAYLOAD_KEY, []).extend(
        (uid, {"unread": counts.get(uid, 0), "latest": latest.get(uid)}) for uid in changed)


def _after_commit(session) -> None:
    for user_id, payload in session.info.pop(PAYLOAD_KEY, []):
        try:
            socketio.emit("notifications", payload, to=user_room(user_id), namespace="/")
        except Exception:  # the change is committed; a socket problem must not surface
            log.exception("could not emit notifications to user %s", user_id)


def _after_rollback(session) -> None:
    session.info.pop(LIVE_KEY, None)
    session.info.pop(PAYLOAD_KEY, None)


_installed = False


def install_live_updates(app: Flask) -> None:
    """Hook the commit of the app's database session (once per process)."""
    global _installed
    if _installed:
        return
    with app.app_context():
        factory = db.session.session_factory
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_rollback", _after_rollback)
    _installed = True
