"""Reading channels: history pages, threads, search, unread counts, and the message JSON."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from lms.auth.models import User
from lms.channels.models import Channel, ChannelRead, Mention, Message
from lms.channels.services import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_QUERY_CHARS,
    normalise_for_search,
    reaction_groups,
)
from lms.db import utcnow
from lms.errors import BadRequest, ValidationError
from lms.extensions import db

# --- Reading --------------------------------------------------------------------------------

def _eager(query):
    return query.options(selectinload(Message.author), selectinload(Message.reactions),
                         selectinload(Message.mentions).selectinload(Mention.user))


def clean_limit(value: object) -> int:
    if value is None or value == "":
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise BadRequest("limit には数値を指定してください。") from None
    if limit < 1:
        raise BadRequest("limit には1以上の数値を指定してください。")
    return min(limit, MAX_LIMIT)


def list_messages(channel: Channel, *, after_id: int | None = None,
                  before_id: int | None = None, limit: int = DEFAULT_LIMIT) -> list[Message]:
    """A page of the channel, oldest first: after after_id, before before_id, or the newest."""
    query = select(Message).where(Message.channel_id == channel.id)
    if after_id is not None:
        rows = db.session.scalars(_eager(query.where(Message.id > after_id)
                                         .order_by(Message.id).limit(limit)))
        return list(rows)
    if before_id is not None:
        query = query.where(Message.id < before_id)
    rows = list(db.session.scalars(_eager(query.order_by(Message.id.desc()).limit(limit))))
    return rows[::-1]


def list_roots(channel: Channel, *, before_id: int | None = None,
               limit: int = DEFAULT_LIMIT) -> list[Message]:
    """A page of the channel's own messages (not thread replies, which fold under them),
    oldest first: before before_id, or the newest."""
    query = select(Message).where(Message.channel_id == channel.id, Message.parent_id.is_(None))
    if before_id is not None:
        query = query.where(Message.id < before_id)
    rows = list(db.session.scalars(_eager(query.order_by(Message.id.desc()).limit(limit))))
    return rows[::-1]


def replies_by_root(root_ids: list[int]) -> dict[int, list[Message]]:
    """The replies of each root, oldest first, in one query (with their eager loads)."""
    if not root_ids:
        return {}
    replies: dict[int, list[Message]] = {}
    for reply in db.session.scalars(_eager(select(Message).where(
            Message.parent_id.in_(root_ids)).order_by(Message.id))):
        replies.setdefault(reply.parent_id, []).append(reply)
    return replies


def has_older_root(channel: Channel, first_id: int) -> bool:
    return db.session.scalar(select(Message.id).where(
        Message.channel_id == channel.id, Message.parent_id.is_(None),
        Message.id < first_id).limit(1)) is not None


def thread_messages(root: Message) -> list[Message]:
    return list(db.session.scalars(_eager(
        select(Message).where(or_(Message.id == root.id, Message.parent_id == root.id))
        .order_by(Message.id))))


def has_older(channel: Channel, first_id: int) -> bool:
    return db.session.scalar(select(Message.id).where(
        Message.channel_id == channel.id, Message.id < first_id).limit(1)) is not None


def search_messages(channel_ids: list[int], q: object, limit: int, *,
                    author_id: int | None = None) -> list[Message]:
    """Messages containing q (a substring, so Japanese words inside sentences match), in
    the channels given (the caller narrows them to one channel for a filter), by author_id
    when given."""
    if not isinstance(q, str) or not q.strip():
        raise ValidationError("検索する言葉を入力してください。", code="empty")
    if len(q) > MAX_QUERY_CHARS:
        raise ValidationError(f"検索語は{MAX_QUERY_CHARS}文字以内にしてください。", code="too_long")
    if not channel_ids:
        return []
    needle = normalise_for_search(q.strip())
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = select(Message).where(Message.channel_id.in_(channel_ids),
                                  Message.deleted_at.is_(None), Message.hidden_at.is_(None),
                                  Message.search_text.like(pattern, escape="\\"))
    if author_id is not None:
        query = query.where(Message.author_id == author_id)
    return list(db.session.scalars(_eager(
        query.options(selectinload(Message.channel)).order_by(Message.id.desc()).limit(limit))))


def authors_in(channel_ids: list[int]) -> list[User]:
    """Everyone who has a visible message in these channels, by name (the search's author
    filter offers only people the reader can already see posting)."""
    if not channel_ids:
        return []
    posted = (select(Message.author_id).where(Message.channel_id.in_(channel_ids),
                                              Message.deleted_at.is_(None),
                                              Message.hidden_at.is_(None)).distinct())
    return list(db.session.scalars(select(User).where(User.id.in_(posted))
                                   .order_by(User.name, User.id)))


def last_read_id(user: User, channel: Channel) -> int:
    return db.session.scalar(select(ChannelRead.last_read_id).where(
        ChannelRead.channel_id == channel.id, ChannelRead.user_id == user.id)) or 0


def read_state(user: User, channel: Channel) -> tuple[int, int]:
    """(the reader's read marker, the channel's newest message id) in one query."""
    marker = select(ChannelRead.last_read_id).where(
        ChannelRead.channel_id == channel.id, ChannelRead.user_id == user.id).scalar_subquery()
    read, newest = db.session.execute(select(
        func.coalesce(marker, 0), func.coalesce(func.max(Message.id), 0)).where(
        Message.channel_id == channel.id)).one()
    return read or 0, newest or 0


def mark_read(user: User, channel: Channel, up_to_id: int | None = None) -> int:
    """Move the read marker forward to up_to_id (default: the newest message); never back."""
    newest = db.session.scalar(select(func.max(Message.id)).where(
        Message.channel_id == channel.id)) or 0
    target = newest if up_to_id is None else min(up_to_id, newest)
    read = db.session.scalar(select(ChannelRead).where(
        ChannelRead.channel_id == channel.id, ChannelRead.user_id == user.id))
    if read is None:
        try:
            with db.session.begin_nested():
                read = ChannelRead(channel_id=channel.id, user_id=user.id, last_read_id=0)
                db.session.add(read)
                db.session.flush()
        except IntegrityError:
            read = db.session.scalar(select(ChannelRead).where(
                ChannelRead.channel_id == channel.id, ChannelRead.user_id == user.id))
    if target > read.last_read_id:
        read.last_read_id, read.updated_at = target, utcnow()
    db.session.flush()
    return read.last_read_id


def unread_counts(user: User, channel_ids: list[int]) -> dict[int, int]:
    """Unread messages by others per channel, in one query whatever the number of channels."""
    if not channel_ids:
        return {}
    read = aliased(ChannelRead)
    rows = db.session.execute(
        select(Message.channel_id, func.count(Message.id))
        .outerjoin(read, (read.channel_id == Message.channel_id) & (read.user_id == user.id))
        .where(Message.channel_id.in_(channel_ids), Message.author_id != user.id,
               Message.deleted_at.is_(None), Message.hidden_at.is_(None),
               Message.id > func.coalesce(read.last_read_id, 0))
        .group_by(Message.channel_id))
    counts = dict.fromkeys(channel_ids, 0)
    counts.update({channel_id: n for channel_id, n in rows})
    return counts


# --- Serialisation --------------------------------------------------------------------------

def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def message_to_dict(message: Message, *, staff_view: bool = False) -> dict:
    """The CONTRACT message object (plus seq, hidden, reactions, mentions)."""
    show = not message.deleted and (not message.hidden or staff_view)
    reactions = reaction_groups(message)
    return {
        "id": message.id, "channel_id": message.channel_id, "seq": message.seq,
        "author": {"id": message.author.id, "name": message.author.name},
        "body": message.body if show else "",
        "body_html": message.body_html if show else "",
        "created_at": iso(message.created_at), "edited_at": iso(message.edited_at),
        "deleted": message.deleted, "hidden": message.hidden,
        "parent_id": message.parent_id,
        "reactions": [{"emoji": e, "count": len(ids), "user_ids": ids}
                      for e, ids in reactions.items()],
        "mentions": [{"id": m.user_id, "name": m.user.name} for m in message.mentions],
    }
