"""Who may read and post in a channel, and the loaders every page, API and event uses."""

from __future__ import annotations

from sqlalchemy import or_, select

from lms.auth.models import User
from lms.cache import attach, cached, snapshot
from lms.channels.models import Channel, Message
from lms.cohorts.access import is_staff, membership_for, team_id_for
from lms.cohorts.models import Cohort, Membership
from lms.errors import Forbidden, NotFound
from lms.extensions import db

CHANNEL_NOT_FOUND = "チャンネルが見つかりません。"
MESSAGE_NOT_FOUND = "メッセージが見つかりません。"


def can_read_channel(membership: Membership | None, channel: Channel) -> bool:
    """Cohort channels: every member. A team room: its team, and the cohort's staff."""
    if membership is None or membership.cohort_id != channel.cohort_id:
        return False
    if channel.kind == "cohort" or is_staff(membership):
        return True
    return channel.team_id is not None and channel.team_id == team_id_for(membership)


def can_post_channel(membership: Membership | None, channel: Channel) -> bool:
    return can_read_channel(membership, channel) and channel.may_post(membership.role)


def readable_channels(membership: Membership) -> list[Channel]:
    """The channels of the membership's cohort this person may read, cohort channels first."""
    query = select(Channel).where(Channel.cohort_id == membership.cohort_id)
    if not is_staff(membership):
        team_id = team_id_for(membership)
        query = query.where(or_(Channel.kind == "cohort", Channel.team_id == team_id)
                            if team_id else Channel.kind == "cohort")
    return list(db.session.scalars(query.order_by(Channel.kind, Channel.position, Channel.id)))


def get_channel_for(user: User, channel_id: object,
                    cohort: Cohort | None = None) -> tuple[Channel, Membership]:
    """The channel and the reader's membership; unknown or unreadable channels are NotFound."""
    if not isinstance(channel_id, int) or isinstance(channel_id, bool):
        raise NotFound(CHANNEL_NOT_FOUND)
    if channel_id > 2**62:
        raise NotFound(CHANNEL_NOT_FOUND)
    # The row is kept (lms.cache) until a channel is written.
    channel = attach(Channel, cached(
        "channels.row", (channel_id,), lambda: snapshot(db.session.get(Channel, channel_id)),
        deps=("channels",), keep=lambda row: row is not None))
    if channel is None or (cohort is not None and channel.cohort_id != cohort.id):
        raise NotFound(CHANNEL_NOT_FOUND)
    membership = membership_for(user, channel.cohort_id)
    if not can_read_channel(membership, channel):
        raise NotFound(CHANNEL_NOT_FOUND)
    return channel, membership


def require_post(membership: Membership, channel: Channel) -> None:
    """Visible but not for posting (お知らせ for participants) is Forbidden."""
    if not can_post_channel(membership, channel):
        raise Forbidden(f"「{channel.name}」には講師・主催者だけが投稿できます。")


def get_message_for(user: User, message_id: int) -> tuple[Message, Channel, Membership]:
    """A message in a channel the user may read; anything else is NotFound."""
    message = db.session.get(Message, message_id)
    if message is None:
        raise NotFound(MESSAGE_NOT_FOUND)
    try:
        channel, membership = get_channel_for(user, message.channel_id)
    except NotFound:
        raise NotFound(MESSAGE_NOT_FOUND) from None
    return message, channel, membership


def require_author(user: User, message: Message) -> None:
    if message.author_id != user.id:
        raise Forbidden("自分のメッセージだけを編集・削除できます。")

