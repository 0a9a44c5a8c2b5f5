"""Retro boards (one per team per session), cards, votes and actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import utcnow
from lms.extensions import db
from lms.sessions.models import WorkshopSession
from lms.teams.models import Team

PHASES = ("write", "reveal", "vote", "act", "closed")
PHASE_LABELS = {"write": "記入", "reveal": "公開", "vote": "投票", "act": "アクション",
                "closed": "終了"}
ACTION_STATUSES = ("open", "done", "dropped")
ACTION_LABELS = {"open": "未完了", "done": "完了", "dropped": "取りやめ"}
CARD_MAX = 500
ACTION_MAX = 200
COMMENT_MAX = 500


class RetroConfig(db.Model):
    """The cohort's retro format, copied from its course template when it was created."""

    __tablename__ = "retro_configs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           unique=True)
    format: Mapped[str] = mapped_column(String(20))
    columns: Mapped[list] = mapped_column(JSON)  # [{"key", "title", "prompt"}]
    carry_column: Mapped[str] = mapped_column(String(40))
    votes_per_person: Mapped[int] = mapped_column(default=3)


class RetroBoard(db.Model):
    __tablename__ = "retro_boards"
    __table_args__ = (
        UniqueConstraint("session_id", "team_id"),
        CheckConstraint("phase IN ('write', 'reveal', 'vote', 'act', 'closed')", name="phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         index=True)
    format: Mapped[str] = mapped_column(String(20))
    columns: Mapped[list] = mapped_column(JSON)
    carry_column: Mapped[str] = mapped_column(String(40))
    phase: Mapped[str] = mapped_column(String(10), default="write")
    votes_per_person: Mapped[int] = mapped_column(default=3)
    timer_ends_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[WorkshopSession] = relationship()
    team: Mapped[Team] = relationship()
    cards: Mapped[list[RetroCard]] = relationship(
        back_populates="board", cascade="all, delete-orphan", order_by="RetroCard.id")
    actions: Mapped[list[RetroAction]] = relationship(
        back_populates="board", cascade="all, delete-orphan", order_by="RetroAction.id")

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[self.phase]

    def column_title(self, key: str) -> str:
        return next((c["title"] for c in self.columns if c["key"] == key), key)


class RetroCard(db.Model):
    __tablename__ = "retro_cards"
    __table_args__ = (UniqueConstraint("author_id", "client_card_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("retro_boards.id", ondelete="CASCADE"),
                                          index=True)
    column: Mapped[str] = mapped_column(String(40))
    body: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_card_id: Mapped[str | None] = mapped_column(String(64))
    # "Group with": the card this one is grouped under (a group is its first card's id).
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("retro_cards.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    board: Mapped[RetroBoard] = relationship(back_populates="cards")
    author: Mapped[User] = relationship()
    votes: Mapped[list[RetroVote]] = relationship(
        back_populates="card", cascade="all, delete-orphan")


class RetroVote(db.Model):
    """One person's vote on one card (a person votes a card at most once)."""

    __tablename__ = "retro_votes"
    __table_args__ = (UniqueConstraint("card_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("retro_boards.id", ondelete="CASCADE"),
                                          index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("retro_cards.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    card: Mapped[RetroCard] = relationship(back_populates="votes")


class RetroAction(db.Model):
    """A Try turned into an action with an owner; the next session's board carries it."""

    __tablename__ = "retro_actions"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done', 'dropped')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("retro_boards.id", ondelete="CASCADE"),
                                          index=True)
    card_id: Mapped[int | None] = mapped_column(
        ForeignKey("retro_cards.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(ACTION_MAX))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    comment: Mapped[str] = mapped_column(default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    board: Mapped[RetroBoard] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])

    @property
    def status_label(self) -> str:
        return ACTION_LABELS[self.status]
