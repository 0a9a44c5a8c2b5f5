"""Socket.IO namespace /retros: join a board, receive it (as you may see it) on every change."""

from __future__ import annotations

from flask import request
from flask_socketio import Namespace, join_room, leave_room

from lms.auth.logins import join_login_room
from lms.auth.mfa import socket_cookie_user
from lms.auth.models import User
from lms.errors import BadRequest, DomainError
from lms.extensions import db
from lms.retros.access import get_board_for
from lms.retros.live import user_room
from lms.retros.reading import board_to_dict, carried_actions, load_board


def _error(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


class RetroNamespace(Namespace):
    """Connect authenticates (token or login cookie); every event re-checks access with the
    same loader as the HTTP API. The only room a socket enters is its own user's room of a
    board it may see, so the server decides who receives which board."""

    def __init__(self, namespace: str = "/retros"):
        super().__init__(namespace)
        self._users: dict[str, tuple[int, int]] = {}  # sid → (user id, session version)

    def on_connect(self, auth=None):
        user = self._identify(auth)
        if user is None:
            raise ConnectionRefusedError("ログインするか、APIトークンを指定してください。")
        self._users[request.sid] = (user.id, getattr(user, "session_version", 0))
        if not (isinstance(auth, dict) and auth.get("token")):
            join_login_room()  # ended with its login, on whichever process

    @staticmethod
    def _identify(auth) -> User | None:
        from lms.auth.services import user_for_api_token

        if isinstance(auth, dict) and auth.get("token"):
            token = auth["token"]
            return user_for_api_token(token) if isinstance(token, str) else None
        return socket_cookie_user()

    def on_disconnect(self, *_reason):
        self._users.pop(request.sid, None)

    def _user(self) -> User | None:
        """The socket's user, read again for every event; None once deactivated or their
        password changed since the socket connected."""
        entry = self._users.get(request.sid)
        if entry is None:
            return None
        user = db.session.get(User, entry[0])
        if user is None or not user.is_active or getattr(user, "session_version", 0) != entry[1]:
            return None
        return user

    def on_retro_join(self, data=None):
        try:
            user = self._user()
            if user is None:
                return _error("unauthorized", "接続し直してください。")
            if not isinstance(data, dict):
                raise BadRequest("オブジェクトを送ってください。")
            board, _viewer = get_board_for(user, data.get("retro_id"))
            join_room(user_room(board.id, user.id))
            board = load_board(board.id)
            return {"ok": True, "board": board_to_dict(board, user.id, carried_actions(board))}
        except DomainError as exc:
            db.session.rollback()
            return _error(exc.code, exc.message)

    def on_retro_leave(self, data=None):
        user = self._user()
        retro_id = data.get("retro_id") if isinstance(data, dict) else None
        if user is not None and isinstance(retro_id, int):
            leave_room(user_room(retro_id, user.id))
        return {"ok": True}
