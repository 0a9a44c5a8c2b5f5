"""Socket.IO namespace /proposals: open a proposal (presence) and hear teammates' saves."""

from __future__ import annotations

import logging
import threading

from flask import current_app, request
from flask_socketio import Namespace, join_room, leave_room

from lms.auth.logins import join_login_room
from lms.auth.mfa import socket_cookie_user
from lms.auth.models import User
from lms.errors import DomainError
from lms.extensions import db
from lms.presence import PresenceStore, RedisPresence, presence_store
from lms.proposals.access import get_proposal_for
from lms.proposals.live import announce_presence, room_for

log = logging.getLogger(__name__)


def _error(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


class ProposalNamespace(Namespace):
    """Connect authenticates (cookie or token); `proposal_join` re-checks read access with
    the HTTP loader; rooms are named by the server. Who has a proposal open is kept in
    lms.presence (Redis when the app has it, so every process lists everyone)."""

    def __init__(self, namespace: str = "/proposals"):
        super().__init__(namespace)
        self._users: dict[str, int] = {}
        self._lock = threading.Lock()
        self._presence: PresenceStore | None = None

    def _present(self) -> PresenceStore:
        """The store, built on the first connection; a Redis store gets its heartbeat."""
        if self._presence is None:
            with self._lock:
                if self._presence is None:
                    config = current_app.config
                    store = presence_store(config["REDIS_URL"],
                                           f"{config['SOCKETIO_CHANNEL']}:proposals")
                    if isinstance(store, RedisPresence):
                        self.socketio.start_background_task(self._keep_presence, store)
                    self._presence = store
        return self._presence

    def _keep_presence(self, store: PresenceStore) -> None:
        while True:
            self.socketio.sleep(store.heartbeat_every)
            try:
                for proposal_id in store.heartbeat():
                    self._announce(proposal_id)
            except Exception:  # keep beating whatever happened
                log.exception("proposal presence heartbeat failed")

    def _announce(self, proposal_id: int) -> None:
        announce_presence(proposal_id, self._present().users(proposal_id))

    def on_connect(self, auth=None):
        from lms.auth.services import user_for_api_token

        user = None
        if isinstance(auth, dict) and isinstance(auth.get("token"), str):
            user = user_for_api_token(auth["token"])
        elif (user := socket_cookie_user()) is not None:
            join_login_room()  # ended with its login, on whichever process
        if user is None:
            raise ConnectionRefusedError("ログインするか、APIトークンを指定してください。")
        self._present()
        self._users[request.sid] = user.id

    def on_disconnect(self, *_reason):
        self._users.pop(request.sid, None)
        for proposal_id in self._present().remove_connection(request.sid):
            self._announce(proposal_id)

    def _user(self) -> User | None:
        user_id = self._users.get(request.sid)
        user = db.session.get(User, user_id) if user_id else None
        return user if user is not None and user.is_active else None

    def on_proposal_join(self, data=None):
        user = self._user()
        if user is None:
            return _error("unauthorized", "接続し直してください。")
        try:
            proposal_id = data.get("proposal_id") if isinstance(data, dict) else None
            proposal, _viewer = get_proposal_for(user, proposal_id)
        except DomainError as exc:
            db.session.rollback()
            return _error(exc.code, exc.message)
        join_room(room_for(proposal.id))
        store = self._present()
        store.add(proposal.id, request.sid, user.id, user.name)
        self._announce(proposal.id)
        return {"ok": True, "users": store.users(proposal.id), "revision": proposal.revision}

    def on_proposal_leave(self, data=None):
        proposal_id = data.get("proposal_id") if isinstance(data, dict) else None
        if isinstance(proposal_id, int) and not isinstance(proposal_id, bool):
            leave_room(room_for(proposal_id))
            if self._present().remove(proposal_id, request.sid):
                self._announce(proposal_id)
        return {"ok": True}
