"""Socket.IO namespace /proposals: open a proposal (presence) and hear teammates' saves."""

from __future__ import annotations

from flask import request
from flask_socketio import Namespace, join_room, leave_room

from lms.auth.logins import join_login_room
from lms.auth.mfa import socket_cookie_user
from lms.auth.models import User
from lms.errors import DomainError
from lms.extensions import db
from lms.proposals.access import get_proposal_for
from lms.proposals.live import announce_presence, presence, room_for


def _error(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


class ProposalNamespace(Namespace):
    """Connect authenticates (cookie or token); `proposal_join` re-checks read access with
    the HTTP loader; rooms are named by the server."""

    def __init__(self, namespace: str = "/proposals"):
        super().__init__(namespace)
        self._users: dict[str, int] = {}

    def on_connect(self, auth=None):
        from lms.auth.services import user_for_api_token

        user = None
        if isinstance(auth, dict) and isinstance(auth.get("token"), str):
            user = user_for_api_token(auth["token"])
        elif (user := socket_cookie_user()) is not None:
            join_login_room()  # ended with its login, on whichever process
        if user is None:
            raise ConnectionRefusedError("ログインするか、APIトークンを指定してください。")
        self._users[request.sid] = user.id

    def on_disconnect(self, *_reason):
        self._users.pop(request.sid, None)
        for proposal_id in presence.remove_connection(request.sid):
            announce_presence(proposal_id)

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
        presence.add(proposal.id, request.sid, user.id, user.name)
        announce_presence(proposal.id)
        return {"ok": True, "users": presence.users(proposal.id), "revision": proposal.revision}

    def on_proposal_leave(self, data=None):
        proposal_id = data.get("proposal_id") if isinstance(data, dict) else None
        if isinstance(proposal_id, int) and not isinstance(proposal_id, bool):
            leave_room(room_for(proposal_id))
            if presence.remove_connection(request.sid):
                announce_presence(proposal_id)
        return {"ok": True}
