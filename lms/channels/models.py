"""Channels: cohort-wide channels, team rooms, and their messages, reactions and read state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import utcnow
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
    # Bumped by an UPDATE before each new message: the row lock that serialises inserts per
    # channel (ids become visible in order) and a per-channel sequence for gap detection.
    last_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    last_message_at: Mapped[datetime | None]

    team: Mapped[Team | None] = relationship()

    def may_post(self, role: str) -> bool:
        return role in self.post_roles.split(",")


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("author_id", "client_msg_id"),
        UniqueConstraint("channel_id", "seq"),
        Index("ix_messages_channel_id_created_at", "channel_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    seq: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    client_msg_id: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # NFKC + lower-case copy of body for substring search (Japanese has no word breaks).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    channel: Mapped[Channel] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    parent: Mapped[Message | None] = relationship(remote_side=[id])
    reactions: Mapped[list[Reaction]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="Reaction.id")
    mentions: Mapped[list[Mention]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="Mention.id")

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class Reaction(db.Model):
    __tablename__ = "message_reactions"
    __table_args__ = (UniqueConstraint("message_id", "user_id", "emoji"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    emoji: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(back_populates="reactions")


class Mention(db.Model):
    __tablename__ = "message_mentions"
    __table_args__ = (UniqueConstraint("message_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    message: Mapped[Message] = relationship(back_populates="mentions")
    user: Mapped[User] = relationship()


class ChannelRead(db.Model):
    """How far a person has read a channel: messages with a larger id are unread."""

    __tablename__ = "channel_reads"
    __table_args__ = (UniqueConstraint("channel_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_read_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
