"""Socket.IO on the default namespace: join channels, send messages, team-room presence."""

from __future__ import annotations

import logging
import threading

from flask import current_app, request
from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room

from lms.auth.models import User
from lms.channels import reading, services
from lms.channels.access import get_channel_for, require_post
from lms.channels.live import emit_new, room_for
from lms.channels.presence import PresenceStore, RedisPresence, presence_store
from lms.channels.ratelimit import check_post_rate
from lms.errors import BadRequest, DomainError
from lms.extensions import db

log = logging.getLogger(__name__)


def _error(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


class ChannelNamespace(Namespace):
    """Identity on connect; every join and send re-checked with the HTTP loaders.

    Presence (who is in a team room now) lives in Redis when the app has REDIS_URL, so every
    process lists the people connected to any process; otherwise in this process."""

    def __init__(self, namespace: str = "/"):
        super().__init__(namespace)
        self._lock = threading.Lock()
        self._users: dict[str, tuple[int, str]] = {}
        self._presence: PresenceStore | None = None

    def _present(self) -> PresenceStore:
        """The presence store, built on the first connection (when the app's config is at
        hand); a Redis store gets its heartbeat task then."""
        if self._presence is None:
            with self._lock:
                if self._presence is None:
                    config = current_app.config
                    # Keyed like the Socket.IO traffic, so deployments or test runs sharing
                    # one Redis do not see each other.
                    store = presence_store(config["REDIS_URL"], config["SOCKETIO_CHANNEL"])
                    if isinstance(store, RedisPresence):
                        self.socketio.start_background_task(self._keep_presence, store)
                    self._presence = store
        return self._presence

    def _keep_presence(self, store: PresenceStore) -> None:
        """Heartbeat for as long as the process lives; announce rooms whose listing changed
        (a crashed process's people dropped, or Redis back after an outage)."""
        while True:
            self.socketio.sleep(store.heartbeat_every)
            try:
                for channel_id in store.heartbeat():
                    self._emit_presence(channel_id)
            except Exception:  # keep beating whatever happened
                log.exception("presence heartbeat failed")

    # --- identity -------------------------------------------------------------------------
    def on_connect(self, auth=None):
        user = self._identify(auth)
        if user is None:
            raise ConnectionRefusedError("ログインするか、APIトークンを指定してください。")
        self._present()
        with self._lock:
            self._users[request.sid] = (user.id, user.name)

    @staticmethod
    def _identify(auth) -> User | None:
        from lms.auth.services import user_for_api_token

        if isinstance(auth, dict) and auth.get("token"):
            token = auth["token"]
            return user_for_api_token(token) if isinstance(token, str) else None
        if current_user.is_authenticated:
            return current_user._get_current_object()
        return None

    def _user(self) -> User | None:
        entry = self._users.get(request.sid)
        return db.session.get(User, entry[0]) if entry else None

    def on_disconnect(self, *_reason):
        with self._lock:
            known = self._users.pop(request.sid, None)
        if known is None:
            return
        for channel_id in self._present().remove_connection(request.sid):
            self._emit_presence(channel_id)

    # --- events ---------------------------------------------------------------------------
    def on_join(self, data=None):
        return self._guarded(self._join, data)

    def on_leave(self, data=None):
        return self._guarded(self._leave, data)

    def on_send(self, data=None):
        return self._guarded(self._send, data)

    def _guarded(self, handler, data) -> dict:
        try:
            user = self._user()
            if user is None:
                return _error("unauthorized", "接続し直してください。")
            if not isinstance(data, dict):
                raise BadRequest("オブジェクトを送ってください。")
            return handler(user, data)
        except DomainError as exc:
            db.session.rollback()
            return _error(exc.code, exc.message)

    def _join(self, user: User, data: dict) -> dict:
        channel, _membership = get_channel_for(user, data.get("channel_id"))
        join_room(room_for(channel.id))
        if channel.kind == "team":
            self._present().add(channel.id, request.sid, user.id, user.name)
            self._emit_presence(channel.id)
        return {"ok": True}

    def _leave(self, user: User, data: dict) -> dict:
        channel_id = data.get("channel_id")
        if isinstance(channel_id, int):
            leave_room(room_for(channel_id))
            if self._present().remove(channel_id, request.sid):
                self._emit_presence(channel_id)
        return {"ok": True}

    def _send(self, user: User, data: dict) -> dict:
        channel, membership = get_channel_for(user, data.get("channel_id"))
        require_post(membership, channel)
        message, created = services.post_message(
            user, channel, data.get("body"), client_msg_id=data.get("client_msg_id"),
            parent_id=data.get("parent_id"), rate_check=lambda: check_post_rate(user.id))
        # Serialise before the commit expires the object; emit only once it is stored.
        payload = reading.message_to_dict(message)
        db.session.commit()
        if created:
            emit_new(payload)
        return {"ok": True, "message": payload}

    def _emit_presence(self, channel_id: int) -> None:
        # self.socketio.emit, not flask_socketio.emit: the heartbeat task has no request.
        self.socketio.emit("presence", {"channel_id": channel_id,
                                        "users": self._present().users(channel_id)},
                           to=room_for(channel_id), namespace=self.namespace)
