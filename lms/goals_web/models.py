"""A trainer's correction of a goal-checker verdict, kept with the text it judged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import utcnow
from lms.extensions import db

LABELS = ("means", "outcome", "borderline")
LABEL_JA = {"means": "手段（活動・アウトプット）", "outcome": "成果（アウトカム・インパクト）",
            "borderline": "どちらとも言えない（境界）"}
MAX_NOTE_CHARS = 1000


class GoalCorrection(db.Model):
    """「判定が違う」: the right label (GOALS_GUIDE.md) and why, in the trainer's words."""

    __tablename__ = "goal_corrections"
    __table_args__ = (
        CheckConstraint("label IN ('means', 'outcome', 'borderline')", name="label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)  # normalised as the checker saw it
    text_key: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of text
    checker_verdict: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    trainer: Mapped[User] = relationship()

    @property
    def label_ja(self) -> str:
        return LABEL_JA[self.label]
