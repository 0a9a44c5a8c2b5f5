"""A notification for one person, and each person's settings per kind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import utcnow
from lms.extensions import db


class Notification(db.Model):
    """Something that needs one person. `dedupe_key` (unique per user) makes a job that runs
    twice, or an event sent twice, notify once; `mailed_at` is set once a mail carried it."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        # The bell's count and the list: a user's unread, newest first.
        Index("ix_notifications_user_id_read_id", "user_id", "read", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(500), default="")
    read: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    mailed_at: Mapped[datetime | None]


class NotificationSetting(db.Model):
    """One person's choice for one kind: shown at all, and mailed never / daily / at once.
    No row means the defaults (shown, daily digest)."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        UniqueConstraint("user_id", "kind"),
        CheckConstraint("mail IN ('none', 'digest', 'immediate')", name="mail"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    enabled: Mapped[bool] = mapped_column(default=True)
    mail: Mapped[str] = mapped_column(String(10), default="digest")
