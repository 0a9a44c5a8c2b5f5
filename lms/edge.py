"""Guards at the edge, in one place, for every route and socket event: text no database can
store (NUL, lone surrogates) refused, JSON depth bounded, ids range-checked (path ids beyond
PostgreSQL's integer are 404), and database faults answered cleanly instead of a 500.

Each view still validates its own fields (lengths, rules: `lms.api.validation`); this layer
makes sure nothing reaches a view, the database or a socket handler that would turn into a
500 or a missing ack whatever the view forgot.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from flask import Flask, render_template, request
from flask_socketio import SocketIO
from socketio import RedisManager
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.routing import IntegerConverter

from lms.errors import DomainError, json_error, wants_json

log = logging.getLogger(__name__)

# As in lms.api.validation (not imported here: this module sits in the bottom layer, beside
# lms.extensions, which imports it).
MAX_JSON_DEPTH = 32
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")
NUL_MESSAGE = "使えない文字（NUL）が含まれています。"
SURROGATE_MESSAGE = "正しくない文字（サロゲート）が含まれています。"
DEPTH_MESSAGE = "JSON の入れ子が深すぎます。"
RANGE_MESSAGE = "{field} の値が範囲外です。"
DB_DATA_MESSAGE = "入力内容を保存できませんでした（長すぎるか、使えない値が含まれています）。"
DB_DOWN_MESSAGE = "データベースに接続できません。しばらく待ってからやり直してください。"
SERVER_ERROR_MESSAGE = "サーバーで問題が発生しました。時間をおいてやり直してください。"

# Fields holding a database id or a small count, wherever they come from (query, form, JSON,
# socket payload): beyond PostgreSQL's integer they can only be wrong. `client_*` ids are
# free text chosen by the client (a timestamp in digits is fine there).
_INTEGER_FIELD = re.compile(
    r"^(?!client_)(?:id|.*_id|team|count|number|session|session_number|done|revision|limit"
    r"|minutes|(?:person|minutes|status)-\d+)$")
_INDEXED_KEY = re.compile(r"^[a-z_]+-(\d+)$")
_DIGITS = re.compile(r"^\s*[+-]?\d+\s*$")


class IdConverter(IntegerConverter):
    """Flask's `int` converter bounded to PostgreSQL's integer: /homework/2**40 is a 404,
    never a query that fails."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT32_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class EdgeError(Exception):
    """Input refused at the edge: an HTTP status, a code and a Japanese message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored, or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    if _SURROGATE.search(value):
        return SURROGATE_MESSAGE
    return None


def _check_text(value: str, status: int = 422) -> None:
    problem = text_problem(value)
    if problem:
        raise EdgeError(status, "invalid" if status == 422 else "bad_request", problem)


def _check_integer_field(key: str, value: Any) -> None:
    """An id-like field (by name) holding a number beyond PostgreSQL's integer → 422."""
    indexed = _INDEXED_KEY.match(key)
    if indexed and int(indexed.group(1)) > INT32_MAX:
        raise EdgeError(422, "invalid", RANGE_MESSAGE.format(field=key))
    if not _INTEGER_FIELD.match(key):
        return
    if isinstance(value, bool):
        return
    if isinstance(value, str):
        if not _DIGITS.match(value):
            return
        value = int(value)
    if isinstance(value, int) and not -INT32_MAX - 1 <= value <= INT32_MAX:
        raise EdgeError(422, "invalid", RANGE_MESSAGE.format(field=key))


def check_value(value: Any, key: str = "", depth: int = 0) -> None:
    """Walk a decoded JSON / socket payload: text, integers and nesting; raises EdgeError."""
    if depth > MAX_JSON_DEPTH:
        raise EdgeError(400, "bad_request", DEPTH_MESSAGE)
    if isinstance(value, str):
        _check_text(value)
        _check_integer_field(key, value)
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        return
    elif isinstance(value, int):
        if not -INT64_MAX - 1 <= value <= INT64_MAX:
            raise EdgeError(422, "invalid", RANGE_MESSAGE.format(field=key or "数値"))
        _check_integer_field(key, value)
    elif isinstance(value, dict):
        for k, v in value.items():
            k = str(k)
            _check_text(k)
            check_value(v, k, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_value(item, key, depth + 1)


def check_request() -> None:
    """Path, query string, form fields and JSON body of the current request."""
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and text_problem(value):
            raise EdgeError(404, "not_found", "ページが見つかりません。")
    for source in (request.args, request.form):
        for key, values in source.lists():
            _check_text(key, 400)
            for value in values:
                _check_text(value, 400 if not wants_json() else 422)
                _check_integer_field(key, value)
    for storage in request.files.values():
        if storage.filename:
            _check_text(storage.filename, 400 if not wants_json() else 422)
    if request.is_json:
        raw = request.get_data(cache=True)
        if raw:
            if json_depth_exceeds(raw):
                raise EdgeError(400, "bad_request", DEPTH_MESSAGE)
            data = request.get_json(silent=True)
            if data is not None:
                check_value(data)


def json_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests deeper than `limit`, without parsing it (a 100,000-deep
    array would exhaust the parser's recursion). lms.api.validation uses this one too."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _answer(status: int, code: str, message: str):
    if wants_json():
        return json_error(status, code, message)
    return render_template("errors/error.html", status=status, message=message), status


def install_edge_guards(app: Flask) -> None:
    """Bounded `int` URL converter, the request guard and the database-fault answers.
    Call right after the config is loaded, before any blueprint is registered."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def refuse_unstorable_input():
        try:
            check_request()
        except EdgeError as exc:
            return _answer(exc.status, exc.code, exc.message)
        return None

    @app.errorhandler(DataError)
    def database_refused_value(exc: DataError):
        # A value a view let through that the database cannot store (too long, NUL, out of
        # range): the user's input, not a server fault.
        from lms.extensions import db

        db.session.rollback()
        log.warning("database refused a value on %s: %s", request.path, exc.orig)
        return _answer(422, "invalid", DB_DATA_MESSAGE)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc: Exception):
        from lms.extensions import db

        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
            pass
        log.error("database unavailable on %s: %s", request.path, exc)
        # The page is rendered for nobody: the layout would otherwise load (or refresh) the
        # signed-in user from the database that just failed, and the 503 become a 500.
        from flask import g

        from lms.extensions import login_manager

        g._login_user = login_manager.anonymous_user()
        response = _answer(503, "unavailable", DB_DOWN_MESSAGE)
        return response[0], 503, {"Retry-After": "5"}


# --- Socket.IO ----------------------------------------------------------------------------

def socket_error(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


def socket_exception_ack(exc: Exception) -> dict:
    """The ack for an event whose handler raised: every event is answered. A connect
    handler that raised (ConnectionRefusedError included: the builtin one is not the one
    Flask-SocketIO lets through) refuses the connection."""
    from lms.extensions import db

    event = getattr(request, "event", None) or {}
    if event.get("message") == "connect":
        if not isinstance(exc, ConnectionRefusedError):
            log.exception("socket connect failed", exc_info=exc)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001
            pass
        return False

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001
        pass
    if isinstance(exc, DomainError):
        return socket_error(exc.code, exc.message)
    if isinstance(exc, EdgeError):
        return socket_error(exc.code, exc.message)
    if isinstance(exc, DataError):
        return socket_error("invalid", DB_DATA_MESSAGE)
    if isinstance(exc, (OperationalError, InterfaceError)):
        log.error("database unavailable in a socket event: %s", exc)
        return socket_error("unavailable", DB_DOWN_MESSAGE)
    if isinstance(exc, TypeError):  # the payload did not fit the handler's arguments
        return socket_error("bad_request", "送信内容の形式が正しくありません。")
    log.exception("socket event failed", exc_info=exc)
    return socket_error("server_error", SERVER_ERROR_MESSAGE)


class EdgeSocketIO(SocketIO):
    """Socket.IO whose events pass the same edge checks as HTTP requests before any handler
    runs, and whose handlers always answer (an exception becomes an error ack)."""

    def __init__(self, app=None, **kwargs):
        super().__init__(app, **kwargs)
        self.default_exception_handler = socket_exception_ack

    def init_app(self, app, **kwargs):
        url = kwargs.get("message_queue", self.server_options.get("message_queue"))
        if "client_manager" not in kwargs:
            if url and url.startswith(("redis://", "rediss://")):
                channel = kwargs.pop("channel", None) or self.server_options.pop(
                    "channel", "flask-socketio")
                kwargs["client_manager"] = WatchedRedisManager(url, channel=channel,
                                                               write_only=app is None)
            else:
                # An earlier app's queue (tests build many apps) must not carry over.
                self.server_options.pop("client_manager", None)
        super().init_app(app, **kwargs)
        if self.server is not None:
            _answer_unhandled_events(self.server)

    def _handle_event(self, handler, message, namespace, sid, *args):
        if message in ("connect", "disconnect"):
            return super()._handle_event(handler, message, namespace, sid, *args)
        try:
            for arg in args:
                check_value(arg)
        except EdgeError as exc:
            return socket_error(exc.code, exc.message)
        result = super()._handle_event(handler, message, namespace, sid, *args)
        # A handler that returns nothing (a leave) still answers something the client reads.
        return {"ok": True} if result is None else result


UNKNOWN_EVENT_MESSAGE = "この操作（{event}）はありません。"
_LIFECYCLE_EVENTS = frozenset({"connect", "disconnect", "connect_error"})


def _answer_unhandled_events(server) -> None:
    """An event the namespace has no handler for (or one named like a lifecycle event,
    which a client must not trigger: `connect` would re-run the identification) gets an
    error ack; python-socketio would otherwise answer with an empty ack, or none at all."""
    from socketio import packet

    if getattr(server, "_lms_edge_events", False):
        return
    original = server._handle_event_internal

    def handles(event, namespace) -> bool:
        if not isinstance(event, str) or event in _LIFECYCLE_EVENTS:
            return False
        if event in server.handlers.get(namespace, {}):
            return True
        return hasattr(server.namespace_handlers.get(namespace), "on_" + event)

    def handle_event_internal(srv, sid, eio_sid, data, namespace, id):  # noqa: A002
        event = data[0] if data else None
        if handles(event, namespace):
            return original(srv, sid, eio_sid, data, namespace, id)
        log.info("socket event without a handler refused: %r on %s", event, namespace)
        if id is not None:
            answer = socket_error("unknown_event", UNKNOWN_EVENT_MESSAGE.format(
                event=str(event)[:40] if text_problem(str(event)) is None else "?"))
            srv._send_packet(eio_sid, srv.packet_class(packet.ACK, namespace=namespace,
                                                        id=id, data=[answer]))
        return None

    server._handle_event_internal = handle_event_internal
    server._lms_edge_events = True


# --- Message queue ------------------------------------------------------------------------

REALTIME_EVENT = "realtime"  # server → client {"ok": bool}: live delivery on or off


class WatchedRedisManager(RedisManager):
    """python-socketio's Redis queue, told to say when it cannot deliver.

    While this process is not subscribed to Redis (Redis stopped, restarting), no message
    reaches any socket live, this process's own included. So: the sockets of this process
    are told (`realtime` {"ok": false}, sent locally, not through the queue) and get what is
    emitted here delivered locally meanwhile; the listener retries every second (not with
    python-socketio's back-off of up to a minute, during which the first batch after a
    restart reached nobody); and once it is subscribed again `realtime` {"ok": true} tells
    the pages to fetch what they missed (the messages are stored before they are emitted)."""

    RETRY_S = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.listening = False
        self._announced_down = False

    def _set_listening(self, listening: bool) -> None:
        if listening == self.listening:
            return
        self.listening = listening
        if listening and not self._announced_down:
            return  # the first subscription: nobody was told anything
        self._announced_down = not listening
        log.warning("message queue %s", "reachable again" if listening else "unreachable")
        try:
            self.server.emit(REALTIME_EVENT, {"ok": listening}, namespace="/",
                             ignore_queue=True)
        except Exception:  # noqa: BLE001 - never let the listener thread die
            log.exception("could not tell the sockets about the message queue")

    @property
    def down(self) -> bool:
        """Live delivery is off and the sockets were told so (a socket that connects now is
        told too: it would otherwise wait for the next change)."""
        return self._announced_down and not self.listening

    def _redis_listen_with_retries(self):  # pragma: no cover - runs in the listener thread
        while True:
            try:
                self._redis_connect()
                pubsub = self.pubsub
                pubsub.subscribe(self.channel)
                self._set_listening(True)
                yield from pubsub.listen()
            except Exception as exc:  # noqa: BLE001
                self._get_logger().error("Cannot receive from redis... retrying in %s s: %s",
                                         self.RETRY_S, exc)
            self._set_listening(False)
            time.sleep(self.RETRY_S)

    def emit(self, event, data, namespace=None, room=None, skip_sid=None, callback=None,
             to=None, **kwargs):
        if (kwargs.get("ignore_queue") or self.listening or callback is not None
                or self.server is None):
            return super().emit(event, data, namespace=namespace, room=room,
                                skip_sid=skip_sid, callback=callback, to=to, **kwargs)
        # Not subscribed: this process's sockets get it now (they would not through the
        # queue), the other processes through the queue if it takes it.
        super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid, to=to,
                     ignore_queue=True)
        return super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid,
                            to=to)
