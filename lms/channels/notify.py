"""Channel events for the notifications below: a mention, and a reply to one's post."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.channels.models import Channel, Message
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.notifications.services import notify


def message_url(slug: str, message: Message) -> str:
    root = message.parent_id
    if root is not None:
        return f"/c/{slug}/channels/{message.channel_id}/threads/{root}#m-{message.id}"
    return f"/c/{slug}/channels/{message.channel_id}#m-{message.id}"


def notify_message(message: Message, author: User, channel: Channel) -> None:
    """Those mentioned hear of it once per message (an edit that adds a name notifies only
    the newcomer); the author of the post replied to hears of the reply, unless mentioned in
    it too. The author never hears of their own message."""
    if message.deleted or message.hidden:
        return
    slug = db.session.scalar(select(Cohort.slug).where(Cohort.id == channel.cohort_id))
    url = message_url(slug, message)
    mentioned = [m.user_id for m in message.mentions]
    notify(mentioned, "mention",
           f"{author.name}さんが「{channel.name}」であなたをメンションしました。", url,
           actor=author, cohort_id=channel.cohort_id, dedupe_key=f"mention:{message.id}")
    if message.parent_id is None:
        return
    parent = db.session.get(Message, message.parent_id)
    if parent is None or parent.deleted or parent.author_id in mentioned:
        return
    notify([parent.author_id], "reply",
           f"{author.name}さんが「{channel.name}」であなたの投稿に返信しました。", url,
           actor=author, cohort_id=channel.cohort_id, dedupe_key=f"reply:{message.id}")
