"""Lookups shared by the notification tests."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.auth.services import get_user_by_email
from lms.extensions import db as _db
from lms.notifications.models import Notification

SLUG = "tokyo-dx-2021"


def notes_of(email: str, kind: str | None = None) -> list[Notification]:
    _db.session.expire_all()
    user = get_user_by_email(email)
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(_db.session.scalars(query.order_by(Notification.id)))


def recipients(kind: str) -> set[str]:
    """Emails of everyone holding a notification of this kind."""
    from lms.auth.models import User

    _db.session.expire_all()
    return set(_db.session.scalars(select(User.email).join(
        Notification, Notification.user_id == User.id).where(Notification.kind == kind)))


def count(kind: str | None = None) -> int:
    _db.session.expire_all()
    query = select(func.count(Notification.id))
    if kind:
        query = query.where(Notification.kind == kind)
    return _db.session.scalar(query)
