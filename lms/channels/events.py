"""Socket.IO on the default namespace: join channels, send, edit and react to messages,
team-room presence."""

from __future__ import annotations

import logging
import os
import threading
from typing import NamedTuple

from flask import current_app, request
from flask_login.signals import user_logged_out
from flask_socketio import Namespace, join_room, leave_room
from sqlalchemy import select

from lms.api.validation import parse
from lms.auth.logins import current_login_id, join_login_room
from lms.auth.mfa import socket_cookie_user
from lms.auth.models import LoginSession, User
from lms.channels.access import get_channel_for, get_message_for, require_author, require_post
from lms.channels.live import (
    access_room_for,
    edit_and_emit,
    post_and_emit,
    react_and_emit,
    room_for,
)
from lms.channels.schemas import MessageEditIn, MessageIn, MessageReactIn
from lms.edge import REALTIME_EVENT
from lms.errors import BadRequest, DomainError, NotFound
from lms.extensions import db
from lms.notifications.live import user_room
from lms.presence import PresenceStore, RedisPresence, presence_store

log = logging.getLogger(__name__)


def _error(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


UNAUTHORIZED = ("unauthorized", "接続し直してください。")
# A refused event is answered before its socket is closed (the answer would be lost).
CLOSE_AFTER_ANSWER_S = 0.2
# How often each process re-reads the users of its open sockets, so that one that only
# listens also ends after a password change or deactivation (app config or environment).
RECHECK_EVERY_S = 30.0


class Connection(NamedTuple):
    """Who a socket is, as established when it connected."""

    user_id: int
    name: str
    session_version: int  # the user's when the socket connected; a change ends the socket
    by_cookie: bool  # opened with the login cookie (ended by logout), not an API token
    login_id: int | None = None  # the login (LoginSession) it was opened with, by cookie


class ChannelNamespace(Namespace):
    """Identity on connect; every join and send re-checked with the HTTP loaders.

    Presence (who is in a team room now) lives in Redis when the app has REDIS_URL, so every
    process lists the people connected to any process; otherwise in this process.

    A socket does not outlive the access it was opened with: logging out closes the
    sockets the login cookie opened on this process, and an event from a socket whose user
    has since been deactivated or changed password (User.session_version) is refused and
    the socket closed; a periodic re-check does the same for sockets that only listen.
    Team changes re-check the team rooms (live.reset_team_rooms)."""

    def __init__(self, namespace: str = "/"):
        super().__init__(namespace)
        self._lock = threading.Lock()
        self._users: dict[str, Connection] = {}
        self._presence: PresenceStore | None = None
        self._rechecking = False
        # Flask-Login announces every logout (of any app in this process: the handler acts
        # on its own sockets only). Held weakly by the signal, as long as the namespace.
        user_logged_out.connect(self._on_logged_out)

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
        self._start_recheck()
        by_cookie = not (isinstance(auth, dict) and auth.get("token"))
        with self._lock:
            self._users[request.sid] = Connection(
                user.id, user.name, getattr(user, "session_version", 0), by_cookie,
                current_login_id() if by_cookie else None)
        join_room(user_room(user.id))  # the notification bell's live count
        if by_cookie:
            join_login_room()  # ended with its login, on whichever process
        if getattr(self.socketio.server.manager, "down", False):
            # The message queue is away: a page opened now shows the banner at once.
            self.socketio.emit(REALTIME_EVENT, {"ok": False}, to=request.sid, namespace="/")

    @staticmethod
    def _identify(auth) -> User | None:
        from lms.auth.services import user_for_api_token

        if isinstance(auth, dict) and auth.get("token"):
            token = auth["token"]
            return user_for_api_token(token) if isinstance(token, str) else None
        if (user := socket_cookie_user()) is not None:
            return user
        return None

    def _user(self) -> User | None:
        """The socket's user, read again for every event; None (and the socket closed once
        the refusal is answered) when the user is gone, deactivated, or has changed
        password since the socket connected."""
        entry = self._users.get(request.sid)
        if entry is None:
            return None
        user = db.session.get(User, entry.user_id)
        if (user is not None and user.is_active
                and getattr(user, "session_version", 0) == entry.session_version):
            return user
        self._end(request.sid, delay=CLOSE_AFTER_ANSWER_S)
        return None

    def _end(self, sid: str, delay: float = 0.0) -> None:
        """Close a socket whose access has ended: out of every room at once (nothing more
        reaches it), disconnected from a background task (after `delay`, so an answer to
        the current event goes out first; and outside any HTTP request in progress)."""
        server = self.socketio.server
        try:
            for room in server.rooms(sid, namespace=self.namespace):
                if room != sid:
                    server.leave_room(sid, room, namespace=self.namespace)
        except (KeyError, ValueError):  # already gone
            return

        def disconnect():
            if delay:
                self.socketio.sleep(delay)
            server.disconnect(sid, namespace=self.namespace)

        self.socketio.start_background_task(disconnect)

    def _start_recheck(self) -> None:
        """The re-check task, started with the first connection (the app is at hand then)."""
        if self._rechecking:
            return
        with self._lock:
            if self._rechecking:
                return
            self._rechecking = True
        app = current_app._get_current_object()
        every = float(app.config.get("SOCKET_RECHECK_SECONDS")
                      or os.environ.get("SOCKET_RECHECK_SECONDS") or RECHECK_EVERY_S)
        self.socketio.start_background_task(self._recheck_forever, app, every)

    def _recheck_forever(self, app, every: float) -> None:
        while True:
            self.socketio.sleep(every)
            try:
                with app.app_context():
                    self._recheck()
            except Exception:  # keep checking whatever happened
                log.exception("socket re-check failed")

    def _recheck(self) -> None:
        """End the sockets (on this process) whose user is gone, deactivated, or has a new
        password since the socket connected: what _user() does at every event, for sockets
        that send none."""
        with self._lock:
            connections = dict(self._users)
        if not connections:
            return
        ids = sorted({c.user_id for c in connections.values()})
        users = {}
        for start in range(0, len(ids), 500):
            users.update((u.id, u) for u in db.session.scalars(
                select(User).where(User.id.in_(ids[start:start + 500]))))
        # A login ended while the message queue was away (its close never came) ends too.
        login_ids = sorted({c.login_id for c in connections.values() if c.login_id})
        live_logins = set()
        for start in range(0, len(login_ids), 500):
            live_logins.update(db.session.scalars(select(LoginSession.id).where(
                LoginSession.id.in_(login_ids[start:start + 500]))))
        for sid, connection in connections.items():
            user = users.get(connection.user_id)
            if (user is None or not user.is_active
                    or getattr(user, "session_version", 0) != connection.session_version
                    or (connection.login_id and connection.login_id not in live_logins)):
                self._end(sid)

    def _on_logged_out(self, _app, user=None, **_extra) -> None:
        """Flask-Login's user_logged_out: close that user's cookie sockets on this process.
        (Sockets opened with an API token stay: the token is still valid for HTTP too.)"""
        user_id = getattr(user, "id", None)
        if user_id is None or self.socketio is None or self.socketio.server is None:
            return
        with self._lock:
            sids = [sid for sid, c in self._users.items()
                    if c.user_id == user_id and c.by_cookie]
        for sid in sids:
            try:
                self._end(sid)
            except Exception:  # logging out must succeed whatever the sockets do
                log.exception("could not close socket %s at logout", sid)

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

    def on_edit(self, data=None):
        return self._guarded(self._edit, data)

    def on_react(self, data=None):
        return self._guarded(self._react, data)

    def _guarded(self, handler, data) -> dict:
        try:
            user = self._user()
            if user is None:
                return _error(*UNAUTHORIZED)
            if not isinstance(data, dict):
                raise BadRequest("オブジェクトを送ってください。")
            return handler(user, data)
        except DomainError as exc:
            db.session.rollback()
            return _error(exc.code, exc.message)

    def _join(self, user: User, data: dict) -> dict:
        try:
            channel, _membership = get_channel_for(user, data.get("channel_id"))
        except NotFound:
            # A re-join after room_reset that is refused: out of the room for good.
            self._forget_room(data.get("channel_id"))
            raise
        join_room(room_for(channel.id))
        join_room(access_room_for(channel.id))
        if channel.kind == "team":
            self._present().add(channel.id, request.sid, user.id, user.name)
            self._emit_presence(channel.id)
        return {"ok": True}

    def _leave(self, user: User, data: dict) -> dict:
        self._forget_room(data.get("channel_id"))
        return {"ok": True}

    def _forget_room(self, channel_id: object) -> None:
        """This socket out of a channel's rooms and presence (nothing happens for a room
        it was not in)."""
        if isinstance(channel_id, int) and not isinstance(channel_id, bool):
            leave_room(room_for(channel_id))
            leave_room(access_room_for(channel_id))
            if self._present().remove(channel_id, request.sid):
                self._emit_presence(channel_id)

    def _send(self, user: User, data: dict) -> dict:
        channel, membership = get_channel_for(user, data.get("channel_id"))
        require_post(membership, channel)
        fields = parse(MessageIn, data)  # the same rules as POST …/messages
        payload, _created = post_and_emit(user, channel, fields.body,
                                          client_msg_id=fields.client_msg_id,
                                          parent_id=fields.parent_id)
        return {"ok": True, "message": payload}

    def _edit(self, user: User, data: dict) -> dict:
        """`edit` {"message_id", "body"}: one's own message, same rules as PATCH."""
        fields = parse(MessageEditIn, data)
        message, channel, _membership = get_message_for(user, fields.message_id)
        require_author(user, message)
        return {"ok": True, "message": edit_and_emit(user, message, channel, fields.body)}

    def _react(self, user: User, data: dict) -> dict:
        """`react` {"message_id", "emoji", "on"}: on true adds, false takes back, absent
        toggles; everyone in the room gets `message_updated`."""
        fields = parse(MessageReactIn, data)
        message, _channel, _membership = get_message_for(user, fields.message_id)
        return {"ok": True, "message": react_and_emit(user, message, fields.emoji, fields.on)}

    def _emit_presence(self, channel_id: int) -> None:
        # self.socketio.emit, not flask_socketio.emit: the heartbeat task has no request.
        self.socketio.emit("presence", {"channel_id": channel_id,
                                        "users": self._present().users(channel_id)},
                           to=room_for(channel_id), namespace=self.namespace)
