"""Live proposal events: who has a proposal open, and "a teammate saved" notices.

Presence is kept in this process only (a simple dict): with several app processes each lists
the people connected to it. The save notices go through Socket.IO's message queue, so they
reach every process."""

from __future__ import annotations

import threading

from lms.auth.models import User
from lms.extensions import socketio

NAMESPACE = "/proposals"


def room_for(proposal_id: int) -> str:
    return f"proposal:{proposal_id}"


class ProposalPresence:
    """proposal id → {sid: (user id, name)}, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[int, dict[str, tuple[int, str]]] = {}

    def add(self, proposal_id: int, sid: str, user_id: int, name: str) -> None:
        with self._lock:
            self._rooms.setdefault(proposal_id, {})[sid] = (user_id, name)

    def remove_connection(self, sid: str) -> list[int]:
        with self._lock:
            left = [pid for pid, room in self._rooms.items() if room.pop(sid, None)]
            for pid in left:
                if not self._rooms[pid]:
                    del self._rooms[pid]
            return left

    def users(self, proposal_id: int) -> list[dict]:
        with self._lock:
            people = dict(self._rooms.get(proposal_id, {}).values())
        return [{"id": uid, "name": name} for uid, name in sorted(people.items())]


presence = ProposalPresence()


def announce_saved(proposal_id: int, revision: int, author: User) -> None:
    """After the commit: tell everyone with the proposal open that it has a new revision."""
    socketio.emit("proposal_saved", {"proposal_id": proposal_id, "revision": revision,
                                     "author": {"id": author.id, "name": author.name}},
                  to=room_for(proposal_id), namespace=NAMESPACE)


def announce_presence(proposal_id: int) -> None:
    socketio.emit("proposal_presence", {"proposal_id": proposal_id,
                                        "users": presence.users(proposal_id)},
                  to=room_for(proposal_id), namespace=NAMESPACE)
