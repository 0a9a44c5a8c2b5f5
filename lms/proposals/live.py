"""Live proposal events: who has a proposal open, and "a teammate saved" notices.

Presence is kept by the namespace (lms.presence: in Redis when the app has it, so every process
lists everyone). The save notices go through Socket.IO's message queue, so they reach every
process."""

from __future__ import annotations

from lms.auth.models import User
from lms.extensions import socketio

NAMESPACE = "/proposals"


def room_for(proposal_id: int) -> str:
    return f"proposal:{proposal_id}"


def announce_saved(proposal_id: int, revision: int, author: User) -> None:
    """After the commit: tell everyone with the proposal open that it has a new revision."""
    socketio.emit("proposal_saved", {"proposal_id": proposal_id, "revision": revision,
                                     "author": {"id": author.id, "name": author.name}},
                  to=room_for(proposal_id), namespace=NAMESPACE)


def announce_presence(proposal_id: int, users: list[dict]) -> None:
    socketio.emit("proposal_presence", {"proposal_id": proposal_id, "users": users},
                  to=room_for(proposal_id), namespace=NAMESPACE)
