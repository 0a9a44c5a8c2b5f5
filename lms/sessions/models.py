"""Workshop sessions (第1回…第5回) of a cohort."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

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

    @property
    def label(self) -> str:
        return f"第{self.number}回"
