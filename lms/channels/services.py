"""Channels and team rooms; posting, editing, hiding and reacting to their messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.channels.mentions import (  # noqa: F401  (normalise_for_search: re-exported)
    find_mentions,
    mention_candidates,
    normalise_for_search,
)
from lms.channels.models import Channel, Mention, Message, Reaction
from lms.channels.notify import notify_message
from lms.cohorts.models import Cohort, CohortMunicipality, Membership
from lms.db import utcnow
from lms.errors import BadRequest, ValidationError
from lms.extensions import db
from lms.markdown import render_markdown
from lms.teams.models import Team


def create_cohort_channel(cohort: Cohort, *, key: str, name: str, description: str,
                          post_roles: Iterable[str], position: int) -> Channel:
    channel = db.session.scalar(select(Channel).where(Channel.cohort_id == cohort.id,
                                                      Channel.key == key))
    if channel is None:
        channel = Channel(cohort_id=cohort.id, key=key, kind="cohort")
        db.session.add(channel)
    channel.name, channel.description, channel.position = name, description, position
    channel.post_roles = ",".join(post_roles)
    db.session.flush()
    return channel


def ensure_team_rooms(cohort: Cohort, teams: Iterable[Team]) -> list[Channel]:
    """One private room per team, named after the team; existing rooms are kept."""
    existing = {c.team_id: c for c in db.session.scalars(
        select(Channel).where(Channel.cohort_id == cohort.id, Channel.kind == "team"))}
    rooms = []
    for team in teams:
        room = existing.get(team.id)
        if room is None:
            room = Channel(cohort_id=cohort.id, key=f"team-{team.number}", kind="team",
                           team_id=team.id, position=team.number)
            db.session.add(room)
        room.name = f"{team.name}のチームルーム"
        room.description = f"{team.name}のメンバーと講師・主催者だけが読めます。"
        rooms.append(room)
    db.session.flush()
    return rooms


# --- Messages -------------------------------------------------------------------------------
# Ordering: before a new message is inserted, post_message() bumps channels.last_seq with an
# UPDATE. That UPDATE takes the channel row's write lock (PostgreSQL: a row lock held until
# commit; SQLite: the database write lock), so inserts into one channel are serialised and a
# message's id is allocated only after the previous message of the channel has committed.
# Ids within a channel therefore become visible in increasing order, and catch-up with
# `after_id` never skips one. `seq` (1, 2, 3… per channel) lets a client notice a gap.

MAX_BODY_CHARS = 10_000
MAX_CLIENT_ID_CHARS = 64
MAX_QUERY_CHARS = 100
DEFAULT_LIMIT, MAX_LIMIT = 50, 100
REACTIONS = ("👍", "❤️", "😄", "🎉", "🙏", "👀", "💡")


class _AlreadyStored(Exception):
    def __init__(self, message: Message):
        self.message = message


def clean_body(body: object) -> str:
    """The message text; raises BadRequest (not a string) or ValidationError (empty, long)."""
    if not isinstance(body, str):
        raise BadRequest("body に文字列を指定してください。")
    if not body.strip():
        raise ValidationError("メッセージが空です。本文を入力してください。", code="empty")
    if len(body) > MAX_BODY_CHARS:
        raise ValidationError(
            f"メッセージは{MAX_BODY_CHARS:,}文字以内にしてください（現在{len(body):,}文字）。",
            code="too_long")
    return body.strip("\n\r ")


def clean_client_msg_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_CLIENT_ID_CHARS:
        raise BadRequest(f"client_msg_id は{MAX_CLIENT_ID_CHARS}文字以内の文字列にしてください。")
    return value.strip()


def clean_id(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRequest(f"{field} には数値を指定してください。")
    return value


def _set_body(message: Message, body: str, channel: Channel) -> None:
    message.body = body
    message.body_html = render_markdown(body)
    message.search_text = normalise_for_search(body)
    people = find_mentions(body, mention_candidates(channel)) if "@" in body or "＠" in body \
        else []
    # Keep the rows of people still mentioned: replacing them would insert a duplicate
    # (message, user) before the old row is deleted.
    kept = {m.user_id: m for m in message.mentions}
    message.mentions = [kept.get(u.id) or Mention(user_id=u.id, user=u) for u in people]


def _by_client_id(author_id: int, client_msg_id: str) -> Message | None:
    return db.session.scalar(select(Message).where(Message.author_id == author_id,
                                                   Message.client_msg_id == client_msg_id))


def _same_request(existing: Message, channel: Channel) -> Message:
    if existing.channel_id != channel.id:
        raise ValidationError("この client_msg_id は別のチャンネルで使われています。",
                              code="client_msg_id_reused")
    return existing


def _lock_channel_and_next_seq(channel: Channel, now: datetime) -> int:
    """Bump the channel's sequence with an UPDATE: the lock that orders inserts (see above)."""
    return db.session.execute(
        update(Channel).where(Channel.id == channel.id)
        .values(last_seq=Channel.last_seq + 1, last_message_at=now)
        .returning(Channel.last_seq)
        .execution_options(synchronize_session=False)).scalar_one()


def _parent(channel: Channel, parent_id: int | None) -> Message | None:
    """Replies are one level deep: a reply to a reply joins the thread of its root."""
    if parent_id is None:
        return None
    parent = db.session.get(Message, parent_id)
    if parent is None or parent.channel_id != channel.id:
        raise ValidationError("返信先のメッセージがこのチャンネルにありません。", code="bad_parent")
    return parent.parent if parent.parent_id is not None else parent


def post_message(author: User, channel: Channel, body: object, *,
                 client_msg_id: object = None, parent_id: object = None,
                 rate_check: Callable[[], None] | None = None) -> tuple[Message, bool]:
    """Store a message; returns (message, created). A repeated client_msg_id returns the
    stored message with created=False. Raises BadRequest, ValidationError, RateLimited.
    The caller has checked that the author may post in the channel."""
    body = clean_body(body)
    client_msg_id = clean_client_msg_id(client_msg_id)
    parent_id = clean_id(parent_id, "parent_id")
    if client_msg_id and (existing := _by_client_id(author.id, client_msg_id)):
        return _same_request(existing, channel), False
    parent = _parent(channel, parent_id)
    if rate_check:
        rate_check()
    try:
        message = _insert_message(author, channel, body, client_msg_id, parent)
    except _AlreadyStored as stored:
        return _same_request(stored.message, channel), False
    notify_message(message, author, channel)
    return message, True


def _insert_message(author: User, channel: Channel, body: str, client_msg_id: str | None,
                    parent: Message | None) -> Message:
    now = utcnow()
    try:
        with db.session.begin_nested():
            seq = _lock_channel_and_next_seq(channel, now)
            # A concurrent retry may have committed while we waited for the lock.
            if client_msg_id and (existing := _by_client_id(author.id, client_msg_id)):
                raise _AlreadyStored(existing)
            message = Message(channel_id=channel.id, channel=channel, seq=seq,
                              author_id=author.id, author=author, created_at=now,
                              client_msg_id=client_msg_id,
                              parent_id=parent.id if parent else None)
            _set_body(message, body, channel)
            message.reactions = []
            db.session.add(message)
            db.session.flush()
    except IntegrityError:
        existing = _by_client_id(author.id, client_msg_id) if client_msg_id else None
        if existing is None:
            raise
        raise _AlreadyStored(existing) from None
    return message


def edit_message(message: Message, body: object, channel: Channel) -> Message:
    """Replace the text of one's own message (caller checks authorship)."""
    body = clean_body(body)
    if message.deleted or message.hidden:
        raise ValidationError("削除・非表示にされたメッセージは編集できません。", code="gone")
    if body != message.body:
        _set_body(message, body, channel)
        message.edited_at = utcnow()
        db.session.flush()
        notify_message(message, message.author, channel)
    db.session.flush()
    return message


def delete_message(message: Message) -> Message:
    """Mark one's own message deleted and forget its text (shown as 「削除されました」)."""
    if not message.deleted:
        message.deleted_at = utcnow()
        message.body = message.body_html = message.search_text = ""
        message.mentions = []
    db.session.flush()
    return message


def hide_message(message: Message, staff: User) -> Message:
    """A trainer or organizer hides a message from participants; its text is kept."""
    if not message.hidden:
        message.hidden_at = utcnow()
        message.hidden_by_id = staff.id
    db.session.flush()
    return message


def clean_emoji(emoji: object) -> str:
    if not isinstance(emoji, str):
        raise BadRequest("emoji に文字列を指定してください。")
    if emoji not in REACTIONS:
        raise ValidationError("このリアクションは使えません（使えるもの：" + " ".join(REACTIONS)
                              + "）。", code="bad_emoji")
    return emoji


def add_reaction(message: Message, user: User, emoji: object) -> Message:
    emoji = clean_emoji(emoji)
    if message.deleted or message.hidden:
        raise ValidationError("削除・非表示にされたメッセージにはリアクションできません。",
                              code="gone")
    if not any(r.user_id == user.id and r.emoji == emoji for r in message.reactions):
        try:
            with db.session.begin_nested():
                message.reactions.append(Reaction(user_id=user.id, emoji=emoji))
                db.session.flush()
        except IntegrityError:  # the same click arrived twice at once
            db.session.expire(message, ["reactions"])
    return message


def remove_reaction(message: Message, user: User, emoji: object) -> Message:
    emoji = clean_emoji(emoji)
    message.reactions = [r for r in message.reactions
                         if not (r.user_id == user.id and r.emoji == emoji)]
    db.session.flush()
    return message


def toggle_reaction(message: Message, user: User, emoji: object) -> Message:
    """A reaction button pressed: add the user's reaction, or take it back if it is there."""
    mine = any(r.user_id == user.id and r.emoji == emoji for r in message.reactions)
    return (remove_reaction if mine else add_reaction)(message, user, emoji)


def reaction_groups(message: Message) -> dict[str, list[int]]:
    """Emoji → ids of the users who reacted with it, in the order they reacted."""
    groups: dict[str, list[int]] = {}
    for reaction in message.reactions:
        groups.setdefault(reaction.emoji, []).append(reaction.user_id)
    return groups


# --- For trainers ---------------------------------------------------------------------------

@dataclass
class MunicipalityVoice:
    name: str
    posts: int  # by its participants, in the window

    @property
    def spoken(self) -> bool:
        return self.posts > 0


@dataclass
class RoomActivity:
    """A team room as a trainer watches it: only participants' posts count (a trainer's own
    prompt is not the team's activity), per municipality of the team."""

    channel: Channel
    last_message_at: datetime | None  # the last post by a participant
    recent: int
    voices: list[MunicipalityVoice] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        return self.recent == 0

    @property
    def silent(self) -> list[str]:
        return [v.name for v in self.voices if not v.spoken]

    @property
    def one_voice(self) -> bool:
        """Several municipalities, but only one of them speaks: the failure to catch."""
        return len(self.voices) > 1 and sum(v.spoken for v in self.voices) == 1


def team_room_activity(cohort_id: int, now: datetime, days: int = 7) -> list[RoomActivity]:
    """Every team room with participants' last post, their posts in the last `days` and who
    (which municipality) has spoken, quietest first. Four queries whatever the size."""
    rooms = list(db.session.scalars(
        select(Channel).where(Channel.cohort_id == cohort_id, Channel.kind == "team")
        .options(selectinload(Channel.team).selectinload(Team.members)
                 .selectinload(CohortMunicipality.municipality))
        .order_by(Channel.position, Channel.id)))
    since = now - timedelta(days=days)
    by_participants = (
        select(Message.channel_id, Membership.municipality_code,
               func.count(Message.id), func.max(Message.created_at))
        .join(Membership, (Membership.user_id == Message.author_id)
              & (Membership.cohort_id == cohort_id))
        .where(Message.channel_id.in_([r.id for r in rooms]), Membership.role == "participant",
               Message.deleted_at.is_(None))
        .group_by(Message.channel_id, Membership.municipality_code))
    recent: dict[int, dict[str | None, int]] = {}
    last: dict[int, datetime] = {}
    if rooms:
        for channel_id, _code, _n, latest in db.session.execute(by_participants).all():
            if latest and (channel_id not in last or latest > last[channel_id]):
                last[channel_id] = latest
        for channel_id, code, n, _latest in db.session.execute(
                by_participants.where(Message.created_at >= since)).all():
            recent.setdefault(channel_id, {})[code] = n
    activity = []
    for room in rooms:
        counts = recent.get(room.id, {})
        voices = [MunicipalityVoice(cm.municipality.name, counts.get(cm.municipality_code, 0))
                  for cm in (room.team.members if room.team else [])]
        activity.append(RoomActivity(room, last.get(room.id), sum(counts.values()), voices))
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    return sorted(activity, key=lambda a: (a.recent, a.last_message_at or epoch))


def post_prompt(staff: User, cohort_id: int, body: object, prompt_id: str,
                channel_ids: list[int] | None = None) -> list[Message]:
    """One message in every team room of the cohort, or in the rooms chosen; prompt_id makes
    a resubmission safe. Returns only the messages created now. Raises ValidationError when
    rooms were chosen but none of them is a team room of the cohort."""
    body = clean_body(body)
    prompt_id = clean_client_msg_id(prompt_id) or ""
    query = select(Channel).where(Channel.cohort_id == cohort_id, Channel.kind == "team")
    if channel_ids is not None:
        query = query.where(Channel.id.in_(channel_ids))
    rooms = list(db.session.scalars(query.order_by(Channel.position)))
    if channel_ids is not None and not rooms:
        raise ValidationError("投稿するチームルームを1つ以上選んでください。", code="no_rooms")
    created = []
    for room in rooms:
        message, new = post_message(staff, room, body,
                                    client_msg_id=f"{prompt_id[:50]}:{room.id}")
        if new:
            created.append(message)
    return created
