"""Socket.IO broadcasts of stored messages (call only after the commit)."""

from __future__ import annotations

from lms.channels.models import Message
from lms.channels.reading import message_to_dict
from lms.extensions import socketio


def room_for(channel_id: int) -> str:
    """Rooms are named by the server, never taken from the client."""
    return f"channel:{channel_id}"


def broadcast_new(messages: list[Message]) -> None:
    for message in messages:
        emit_new(message_to_dict(message))


def emit_new(payload: dict) -> None:
    """Send an already committed message, serialised before the commit expired it."""
    socketio.emit("message", payload, to=room_for(payload["channel_id"]), namespace="/")


def broadcast_updated(message: Message) -> None:
    socketio.emit("message_updated", message_to_dict(message),
                  to=room_for(message.channel_id), namespace="/")
