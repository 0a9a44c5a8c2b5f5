"""Channels: cohort-wide channels from the course template and one room per team."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.teams.models import Team


class Channel(db.Model):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("cohort_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str] = mapped_column(String(10))  # "cohort" or "team"
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                                index=True)
    # Comma-separated roles that may post; team rooms: everyone who may read.
    post_roles: Mapped[str] = mapped_column(String(100),
                                            default="organizer,trainer,participant")
    position: Mapped[int] = mapped_column(default=0)

    team: Mapped[Team | None] = relationship()

    def may_post(self, role: str) -> bool:
        return role in self.post_roles.split(",")
