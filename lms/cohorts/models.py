"""Municipalities, cohorts and per-cohort memberships with roles."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import utcnow
from lms.extensions import db

ROLES = ("organizer", "trainer", "participant")
ROLE_LABELS = {"organizer": "主催者", "trainer": "講師", "participant": "受講者"}


class Municipality(db.Model):
    """A Japanese local government, keyed by its 全国地方公共団体コード (6 digits)."""

    __tablename__ = "municipalities"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    prefecture: Mapped[str] = mapped_column(String(10), default="東京都")
    kind: Mapped[str] = mapped_column(String(20))
    population: Mapped[int | None]
    population_date: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str | None] = mapped_column(String(500))


class Cohort(db.Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description_md: Mapped[str] = mapped_column(default="")
    course_slug: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Tokyo")
    team_size: Mapped[int] = mapped_column(default=5)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A finished cohort is archived: everything stays readable and exportable, nothing
    # in it may change any more (lms.cohorts.archive guards every flush).
    archived_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(back_populates="cohort",
                                                         cascade="all, delete-orphan")
    municipalities: Mapped[list[CohortMunicipality]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan")

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class CohortMunicipality(db.Model):
    """A municipality enrolled in a cohort, and the team it works in (None until formed)."""

    __tablename__ = "cohort_municipalities"
    __table_args__ = (UniqueConstraint("cohort_id", "municipality_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"),
                                                index=True)

    cohort: Mapped[Cohort] = relationship(back_populates="municipalities")
    municipality: Mapped[Municipality] = relationship()


class Membership(db.Model):
    """A person's role in one cohort; participants work for one municipality."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id"),
        CheckConstraint("role IN ('organizer', 'trainer', 'participant')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.code"))
    department: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
    municipality: Mapped[Municipality | None] = relationship()

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]
