"""Homework of a session, its shared drafts, versioned submissions, files and review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import utcnow
from lms.extensions import db
from lms.sessions.models import WorkshopSession

KINDS = ("individual", "municipality", "team")
KIND_LABELS = {"individual": "個人", "municipality": "自治体ごと", "team": "チームごと"}
LATE_POLICIES = ("accept", "close")
LATE_POLICY_LABELS = {"accept": "締切後も受け付ける（遅延として記録）",
                      "close": "締切後は受け付けない"}
REVIEW_STATUSES = ("ok", "revise")
REVIEW_LABELS = {"ok": "確認済", "revise": "要修正"}


class Homework(db.Model):
    """One assignment of a session; its `kind` says who owns a submission."""

    __tablename__ = "homework"
    __table_args__ = (
        UniqueConstraint("cohort_id", "key"),
        CheckConstraint("kind IN ('individual', 'municipality', 'team')", name="kind"),
        CheckConstraint("late_policy IN ('accept', 'close')", name="late_policy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    instructions_md: Mapped[str] = mapped_column(default="")
    instructions_html: Mapped[str] = mapped_column(default="")
    due_at: Mapped[datetime]
    late_policy: Mapped[str] = mapped_column(String(10), default="accept")
    goal_setting: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[WorkshopSession] = relationship()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def late_policy_label(self) -> str:
        return LATE_POLICY_LABELS[self.late_policy]


class HomeworkDraft(db.Model):
    """The one working text per homework and owner; `revision` guards concurrent edits."""

    __tablename__ = "homework_drafts"
    __table_args__ = (UniqueConstraint("homework_id", "owner_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    homework_id: Mapped[int] = mapped_column(ForeignKey("homework.id", ondelete="CASCADE"))
    owner_key: Mapped[str] = mapped_column(String(40))
    body_md: Mapped[str] = mapped_column(default="")
    revision: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    updated_by: Mapped[User | None] = relationship()


class Submission(db.Model):
    """One submitted version; versions count per homework and owner. Review lives on it."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("homework_id", "owner_key", "version"),
        UniqueConstraint("author_id", "client_submission_id"),
        CheckConstraint("review_status IN ('ok', 'revise')", name="review_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    homework_id: Mapped[int] = mapped_column(ForeignKey("homework.id", ondelete="CASCADE"),
                                             index=True)
    # "u:<user id>", "m:<municipality code>" or "t:<team id>", by the homework's kind.
    owner_key: Mapped[str] = mapped_column(String(40))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)
    version: Mapped[int]
    body_md: Mapped[str] = mapped_column(default="")
    body_html: Mapped[str] = mapped_column(default="")
    late: Mapped[bool] = mapped_column(default=False)
    client_submission_id: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_status: Mapped[str | None] = mapped_column(String(10))
    feedback_md: Mapped[str] = mapped_column(default="")
    feedback_html: Mapped[str] = mapped_column(default="")
    reviewed_at: Mapped[datetime | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    homework: Mapped[Homework] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    files: Mapped[list[SubmissionFile]] = relationship(
        back_populates="submission", cascade="all, delete-orphan",
        order_by="SubmissionFile.id")

    @property
    def review_label(self) -> str:
        return REVIEW_LABELS.get(self.review_status or "", "")


class SubmissionFile(db.Model):
    """An attachment; stored under a random name outside static/, served with its original."""

    __tablename__ = "submission_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="files")
