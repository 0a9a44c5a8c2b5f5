"""Workshop sessions (第1回…第5回) of a cohort."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import utcnow
from lms.extensions import db


class WorkshopSession(db.Model):
    __tablename__ = "workshop_sessions"
    __table_args__ = (UniqueConstraint("cohort_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    aims: Mapped[list] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    agenda_md: Mapped[str] = mapped_column(default="")
    agenda_html: Mapped[str] = mapped_column(default="")
    materials_md: Mapped[str] = mapped_column(default="")
    materials_html: Mapped[str] = mapped_column(default="")
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    summary_md: Mapped[str] = mapped_column(default="")
    summary_html: Mapped[str] = mapped_column(default="")
    catchup_tasks: Mapped[list] = mapped_column(JSON, default=list)
    # The calendar's SEQUENCE (bumped by every change) and when it last changed.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime | None]

    @property
    def label(self) -> str:
        return f"第{self.number}回"


ATTENDANCE_STATUSES = ("present", "partial", "absent")
ATTENDANCE_LABELS = {"present": "出席", "partial": "一部", "absent": "欠席"}


class Attendance(db.Model):
    """Whether a person attended a session (by hand or from a meeting tool's report)."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("status IN ('present', 'partial', 'absent')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    minutes: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(10), default="manual")  # manual | import
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def label(self) -> str:
        return ATTENDANCE_LABELS[self.status]


class CatchupProgress(db.Model):
    """A catch-up task (by its position in the session's list) a person has ticked off."""

    __tablename__ = "catchup_progress"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "task_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    task_index: Mapped[int]
    done_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarFeed(db.Model):
    """A person's calendar subscription URL (Outlook polls it without logging in). Only the
    token's hash is stored; issuing a new one revokes the old."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
