"""Channel events for the notifications below: a mention, and a reply to one's post."""

from __future__ import annotations

import logging
from functools import partial

from sqlalchemy import select

from lms.auth.models import User
from lms.channels.models import Channel, Message
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.notifications.services import notify

log = logging.getLogger(__name__)


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


ANNOUNCE_KEYS = ("oshirase",)  # the course's お知らせ channel


def announce_reschedule(ws, *, cohort, actor, changed, old_starts_at, old_ends_at,
                        old_meeting_url, **_ignored) -> None:
    """A rescheduled session (or a new meeting URL) is posted to 「お知らせ」 by the trainer
    who changed it, once per change. The caller commits; then the post is broadcast to
    everyone who has the channel open (serialised now: nothing may be loaded after the
    commit, and a rolled-back change broadcasts nothing)."""
    from lms.channels.live import emit_new
    from lms.channels.reading import message_to_dict
    from lms.channels.services import post_message
    from lms.db import after_commit
    from lms.timefmt import ja_datetime, ja_time

    if actor is None:
        return
    channel = db.session.scalar(select(Channel).where(
        Channel.cohort_id == cohort.id, Channel.key.in_(ANNOUNCE_KEYS)))
    if channel is None:
        return
    lines = [f"**【{ws.label}の変更】** {ws.title}"]
    if "time" in changed:
        lines.append(f"- 日時：~~{ja_datetime(old_starts_at)}〜{ja_time(old_ends_at)}~~ → "
                     f"**{ja_datetime(ws.starts_at)}〜{ja_time(ws.ends_at)}**")
    if "meeting_url" in changed:
        lines.append("- オンライン会議のURLが変わりました。研修ページの新しいURLから"
                     "参加してください。")
    lines.append(f"- [{ws.label}の研修ページ](/c/{cohort.slug}/sessions/{ws.number})")
    message, created = post_message(actor, channel, "\n".join(lines),
                                    client_msg_id=f"reschedule:{ws.id}:{ws.sequence}")
    if created:
        payload = message_to_dict(message)
        after_commit(db.session, partial(_broadcast_quietly, emit_new, payload))


def _broadcast_quietly(emit, payload: dict) -> None:
    # The change is committed: a socket problem must not turn the trainer's save into an error.
    try:
        emit(payload)
    except Exception:
        log.exception("could not broadcast the announcement %s", payload.get("id"))


def connect_signals() -> None:
    """Called by create_app: channels react to the sessions domain's signals."""
    from lms.sessions.signals import session_rescheduled

    session_rescheduled.connect(announce_reschedule)
