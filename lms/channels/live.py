"""Socket.IO broadcasts of stored messages (call only after the commit), and re-checking who
may stay in the team rooms once teams change."""

from __future__ import annotations

import logging

from sqlalchemy import select

from lms.channels.models import Channel, Message
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


def broadcast_new(messages: list[Message]) -> None:
    for message in messages:
        emit_new(message_to_dict(message))


def emit_new(payload: dict) -> None:
    """Send an already committed message, serialised before the commit expired it."""
    socketio.emit("message", payload, to=room_for(payload["channel_id"]), namespace="/")


def broadcast_updated(message: Message) -> None:
    socketio.emit("message_updated", message_to_dict(message),
                  to=room_for(message.channel_id), namespace="/")


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
