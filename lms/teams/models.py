"""Teams of municipalities within a cohort."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.cohorts.models import CohortMunicipality
from lms.extensions import db


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("cohort_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))

    members: Mapped[list[CohortMunicipality]] = relationship(
        primaryjoin="Team.id == CohortMunicipality.team_id", viewonly=True,
        order_by="CohortMunicipality.municipality_code")
