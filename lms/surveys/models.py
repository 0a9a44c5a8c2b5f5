"""Surveys of a cohort (questions from the course template) and one response per person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import utcnow
from lms.extensions import db
from lms.sessions.models import WorkshopSession

QUESTION_KINDS = ("rating", "text", "choice")
TEXT_MAX = 2000


class Survey(db.Model):
    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("cohort_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    anonymous: Mapped[bool] = mapped_column(default=False)
    # [{"id", "kind", "label", "required", "choices"}]
    questions: Mapped[list] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    session: Mapped[WorkshopSession | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.closed_at is None

    @property
    def session_number(self) -> int | None:
        return self.session.number if self.session is not None else None

    @property
    def status_label(self) -> str:
        if self.is_open:
            return "回答受付中"
        return "締切済" if self.closed_at else "未公開"


class SurveyResponse(db.Model):
    """One person's answers; for an anonymous survey the user id only keeps it to one each
    and is never shown or exported."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    answers: Mapped[dict] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
