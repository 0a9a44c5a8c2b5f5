"""Socket.IO client managers under which closing an ending room disconnects its sockets on
every process: in this process at once, on the others through the message queue."""

from __future__ import annotations

import logging

import socketio

from lms.edge import WatchedRedisManager

log = logging.getLogger(__name__)

# Rooms whose closing ends their members' connections (not only their membership).
ENDING_ROOM_PREFIX = "ending:"


def _disconnect_members(manager, room: str, namespace: str) -> None:
    if not isinstance(room, str) or not room.startswith(ENDING_ROOM_PREFIX):
        return
    sids = [sid for sid, _eio in manager.get_participants(namespace, room)]
    if not sids:
        return
    server = manager.server

    def disconnect():
        # From a task of its own: outside the HTTP request (logout) or the queue listener
        # that asked, since the disconnect handlers open their own contexts.
        for sid in sids:
            try:
                server.disconnect(sid, namespace=namespace, ignore_queue=True)
            except Exception:  # one broken socket must not keep the others open
                log.exception("could not close socket %s", sid)

    server.start_background_task(disconnect)


class ClosingManager(socketio.Manager):
    """One process, no message queue."""

    def close_room(self, room, namespace):
        _disconnect_members(self, room, namespace)
        return super().close_room(room, namespace)


class ClosingRedisManager(WatchedRedisManager):
    """Several processes sharing Redis: close_room reaches every process (PubSubManager),
    and each disconnects its own members of an ending room. Watched: the sockets hear when
    the queue goes down and comes back (lms.edge)."""

    def _handle_close_room(self, message):
        _disconnect_members(self, message.get("room"), message.get("namespace") or "/")
        return super()._handle_close_room(message)


def client_manager(url: str | None, channel: str):
    """The manager for this app: through Redis when the app has a Redis URL."""
    if url:
        return ClosingRedisManager(url, channel=channel)
    return ClosingManager()
