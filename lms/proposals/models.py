"""A team's proposal, its saved revisions, trainers' comments and review, publication."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import utcnow
from lms.extensions import db
from lms.teams.models import Team

STATUSES = ("draft", "submitted", "changes_requested", "approved")
STATUS_LABELS = {"draft": "下書き", "submitted": "提出済", "changes_requested": "要修正",
                 "approved": "承認"}
DECISIONS = ("changes_requested", "approved")


class Proposal(db.Model):
    """One per team. `sections` maps a section key to its Markdown; `revision` counts saves
    and guards concurrent edits (a save names the revision it started from)."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'changes_requested', 'approved')",
                        name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    revision: Mapped[int] = mapped_column(default=0)
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None]
    submitted_revision: Mapped[int | None]
    # Submitted while the goal checker judged the goal section a means (flag for trainers).
    means_goal: Mapped[bool] = mapped_column(default=False)

    team: Mapped[Team] = relationship()
    updated_by: Mapped[User | None] = relationship()
    review: Mapped[ProposalReview | None] = relationship(back_populates="proposal",
                                                         uselist=False)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class ProposalVersion(db.Model):
    """The whole text as saved at one revision, with who saved it."""

    __tablename__ = "proposal_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    revision: Mapped[int]
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class ProposalComment(db.Model):
    """A trainer's comment on one section, or a reply in its thread. The team sees a comment
    only once a review released it (`released_at`)."""

    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             index=True)
    section_key: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_comments.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body_md: Mapped[str] = mapped_column(default="")
    body_html: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class ProposalReview(db.Model):
    """The trainers' scores and decision. The working values change freely; releasing copies
    them to `released_*`, which is all the team ever reads."""

    __tablename__ = "proposal_reviews"
    __table_args__ = (
        CheckConstraint("decision IS NULL OR decision IN ('changes_requested', 'approved')",
                        name="decision"),
        CheckConstraint("released_decision IS NULL OR "
                        "released_decision IN ('changes_requested', 'approved')",
                        name="released_decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             unique=True)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    decision: Mapped[str | None] = mapped_column(String(20))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_scores: Mapped[dict | None] = mapped_column(JSON)
    released_decision: Mapped[str | None] = mapped_column(String(20))
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship(back_populates="review")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])


class ProposalPublication(db.Model):
    """The organizer opened every proposal of the cohort to all its participants."""

    __tablename__ = "proposal_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           unique=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
