"""Socket.IO broadcasts of stored messages (call only after the commit), and re-checking who
may stay in the team rooms once teams change."""

from __future__ import annotations

import logging

from sqlalchemy import select

from lms.auth.models import User
from lms.channels import services
from lms.channels.mentions import unmatched_mention_warning
from lms.channels.models import Channel, Message
from lms.channels.ratelimit import check_post_rate
from lms.channels.reading import message_to_dict
from lms.extensions import db, socketio

log = logging.getLogger(__name__)


def room_for(channel_id: int) -> str:
    """Rooms are named by the server, never taken from the client."""
    return f"channel:{channel_id}"


def access_room_for(channel_id: int) -> str:
    """Where `room_reset` is announced: every socket that joined the channel (and has not
    left it or been refused since). Kept apart from room_for so that the announcement can
    follow the closing of the message room (see reset_team_rooms)."""
    return f"channel-access:{channel_id}"


def post_and_emit(user: User, channel: Channel, body: object, *, client_msg_id: object = None,
                  parent_id: object = None) -> tuple[dict, bool]:
    """The edge's one way to post (HTTP API, Socket.IO, HTML form): store the message,
    serialise it before the commit expires it, commit, then emit it to the channel's room.
    Returns (the message object, created); a repeated client_msg_id emits nothing again.
    Raises what services.post_message raises (RateLimited, ValidationError, …)."""
    message, created = services.post_message(
        user, channel, body, client_msg_id=client_msg_id, parent_id=parent_id,
        rate_check=lambda: check_post_rate(user.id))
    payload = message_to_dict(message)
    db.session.commit()
    if created:
        emit_new(payload)
    return with_mention_warning(payload, channel), created


def with_mention_warning(payload: dict, channel: Channel) -> dict:
    """The writer's copy of a stored message: with `mention_warning` (Japanese) when an
    '@word' in it names nobody who may read the channel. Never broadcast."""
    warning = unmatched_mention_warning(payload["body"], channel)
    return {**payload, "mention_warning": warning} if warning else payload


def edit_and_emit(user: User, message: Message, channel: Channel, body: object) -> dict:
    """Edit one's message (the caller checked authorship), commit, then broadcast
    `message_updated`. Returns the writer's copy (see with_mention_warning)."""
    services.edit_message(message, body, channel)
    payload = message_to_dict(message)
    db.session.commit()
    emit_updated(payload)
    return with_mention_warning(payload, channel)


def react_and_emit(user: User, message: Message, emoji: object, on: object = None) -> dict:
    """Add (on=True), take back (False) or toggle (None) one's reaction; commit, then
    broadcast `message_updated`."""
    if on is None:
        services.toggle_reaction(message, user, emoji)
    elif on:
        services.add_reaction(message, user, emoji)
    else:
        services.remove_reaction(message, user, emoji)
    payload = message_to_dict(message)
    db.session.commit()
    emit_updated(payload)
    return payload


def broadcast_new(messages: list[Message]) -> None:
    for message in messages:
        emit_new(message_to_dict(message))


def emit_new(payload: dict) -> None:
    """Send an already committed message, serialised before the commit expired it."""
    socketio.emit("message", payload, to=room_for(payload["channel_id"]), namespace="/")


def broadcast_updated(message: Message) -> None:
    emit_updated(message_to_dict(message))


def emit_updated(payload: dict) -> None:
    """An edit, delete, hide or reaction, already committed, to everyone in the room."""
    socketio.emit("message_updated", payload, to=room_for(payload["channel_id"]),
                  namespace="/")


def team_room_ids(cohort_id: int) -> list[int]:
    return list(db.session.scalars(select(Channel.id).where(
        Channel.cohort_id == cohort_id, Channel.kind == "team").order_by(Channel.id)))


def reset_team_rooms(cohort_id: int, channel_ids: list[int]) -> None:
    """After team membership changed (and was committed): empty every team room of the
    cohort, then tell the sockets that were in it to join again, which re-checks access.

    A socket keeps its rooms until told otherwise, so without this a participant moved to
    another team would go on receiving the old room's messages. The room is closed *before*
    `room_reset` is sent, so no re-join (allowed or not) can be undone by a close that
    arrives after it. With a message queue (Redis) both the close and the announcement go
    to every process, in this order (python-socketio's PubSubManager publishes close_room).
    Never raises: the change is committed already, and a socket problem must not turn the
    organizer's page into an error."""
    try:
        for channel_id in channel_ids:
            socketio.close_room(room_for(channel_id), namespace="/")
            socketio.emit("room_reset", {"channel_id": channel_id},
                          to=access_room_for(channel_id), namespace="/")
    except Exception:
        log.exception("could not reset the team rooms of cohort %s", cohort_id)
