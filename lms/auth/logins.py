"""Server-side sessions (Flask-Session) and the logins a person can see and end.

The cookie holds only a random session id; the session lives in the database (the default,
`server_sessions`) or in Redis (`LMS_SESSION_BACKEND=redis`). Each login also gets a
`LoginSession` row (created, last seen, browser, address), whose id the session carries:
ending a login deletes the row and the stored session, so a copied cookie is dead at once,
and closes the login's sockets on every process (the room `ending:login:<id>`, closed through
the Socket.IO message queue)."""

from __future__ import annotations

import base64
import logging
import time
from datetime import datetime, timedelta

from flask import Flask, current_app, request, session
from flask_login.signals import user_logged_in, user_logged_out
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from flask_socketio import join_room
from flask_wtf.csrf import generate_csrf
from sqlalchemy import delete, select, update
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from lms.auth.models import LoginSession, ServerSession, User
from lms.cache import attach, cached, row_deps
from lms.db import utcnow
from lms.errors import NotFound
from lms.extensions import db, socketio
from lms.sockets import ENDING_ROOM_PREFIX

log = logging.getLogger(__name__)

LOGIN_KEY = "_login_id"
# last_seen_at (and the stored session's expiry) are written at most this often.
SEEN_RESOLUTION = timedelta(minutes=1)


# --- the session store -------------------------------------------------------------------
class DatabaseSession(ServerSideSession):
    pass


class DatabaseSessionInterface(ServerSideSessionInterface):
    """Flask-Session's SQLAlchemy backend on our own migrated `server_sessions` table (its
    built-in one would create the table itself and define the model again for every app).

    When the database cannot be reached, the session is not opened and the request answers
    the clean 503 before any view runs (as anonymous it would be sent to the login page
    instead); its session is not saved. Never a bare 500 from opening or saving it."""

    session_class = DatabaseSession
    ttl = False

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        try:
            stored = _stored_session(store_id)
        except SQLAlchemyError as exc:
            db.session.rollback()
            log.warning("session store unreachable: the request answers 503")
            # Raised again by _session_store_down, where the 503 handler applies (an
            # exception here, while the request context is pushed, would be a 500).
            if isinstance(exc, (OperationalError, InterfaceError)):
                request.environ[STORE_DOWN] = exc
            return None
        if stored is None or datetime.fromisoformat(stored["expiry"]) <= utcnow():
            return None
        return self.serializer.decode(base64.b64decode(stored["data"]))

    def save_session(self, app, session, response) -> None:
        # A session that could not be read is left as the browser has it: replacing or
        # clearing the cookie would log the person out once the database is back.
        if request.environ.get(STORE_DOWN) is not None:
            return None
        # The view has committed what it meant to (one commit, at the edge): whatever is
        # still pending in the request's database session (a refused change) must not be
        # flushed or committed along with the stored session.
        if db.session.new or db.session.dirty or db.session.deleted:
            db.session.rollback()
        return super().save_session(app, session, response)

    def _delete_session(self, store_id: str) -> None:
        db.session.execute(delete(ServerSession).where(ServerSession.session_id == store_id))
        db.session.commit()

    def _upsert_session(self, session_lifetime: timedelta, session: ServerSideSession,
                        store_id: str) -> None:
        data = self.serializer.encode(session)
        expiry = utcnow() + session_lifetime
        try:
            row = db.session.scalar(
                select(ServerSession).where(ServerSession.session_id == store_id))
            if row is None:
                db.session.add(ServerSession(session_id=store_id, data=data, expiry=expiry))
            else:
                row.data, row.expiry = data, expiry
            db.session.commit()
        except SQLAlchemyError:
            # The database is down: the page already made goes out (its own queries
            # answered 503 if they failed); only this visit's session change is lost.
            db.session.rollback()
            log.warning("session store unreachable; the session was not saved")

    def _delete_expired_sessions(self) -> None:
        db.session.execute(delete(ServerSession).where(ServerSession.expiry <= utcnow()))
        db.session.commit()


STORE_DOWN = "lms.session_store_down"
# How long a login's rows may be kept at most: should a write's version bump be lost (Redis
# restarted from an old snapshot), an ended login still ends within this time.
AUTH_TTL = 60


def _stored_session(store_id: str) -> dict | None:
    """The stored session (data, expiry), kept by lms.cache until its row is written."""
    def read() -> dict | None:
        row = db.session.scalar(select(ServerSession).where(
            ServerSession.session_id == store_id, ServerSession.expiry > utcnow()))
        if row is None:
            return None
        return {"data": base64.b64encode(bytes(row.data)).decode("ascii"),
                "expiry": row.expiry.isoformat()}

    if not store_id or len(store_id) > 128:
        return None
    # Only sessions that exist are kept: a made-up cookie costs one query, not a cache entry.
    return cached("auth.session", (store_id,), read, deps=row_deps("server_sessions", store_id),
                  track=False, keep=lambda stored: stored is not None, ttl=AUTH_TTL)


def _session_store_down() -> None:
    exc = request.environ.get(STORE_DOWN)
    if exc is not None and request.endpoint not in ("static", "health.healthz"):
        raise exc


def init_server_sessions(app: Flask) -> None:
    """Install the server-side session store chosen by SESSION_BACKEND."""
    # First of the before-request hooks: a request whose session could not be read answers
    # 503 (lms.edge's handler) before anything decides it is anonymous.
    app.before_request_funcs.setdefault(None, []).insert(0, _session_store_down)
    backend = app.config["SESSION_BACKEND"]
    if backend == "redis":
        import redis
        from flask_session.redis import RedisSessionInterface

        client = redis.Redis.from_url(app.config["SESSION_REDIS_URL"])
        app.session_interface = RedisSessionInterface(
            app, client=client, key_prefix=app.config["SESSION_KEY_PREFIX"])
    else:
        app.session_interface = DatabaseSessionInterface(
            app, key_prefix=app.config["SESSION_KEY_PREFIX"])
    _connect_signals()


_connected = False


def _connect_signals() -> None:
    global _connected
    if not _connected:  # building several apps (tests) connects once
        user_logged_in.connect(_on_logged_in)
        user_logged_out.connect(_on_logged_out)
        _connected = True


def _server_side() -> ServerSideSessionInterface | None:
    interface = current_app.session_interface
    if isinstance(interface, ServerSideSessionInterface) and isinstance(
            session._get_current_object(), ServerSideSession):
        return interface
    return None


def _on_logged_in(_app, user=None, **_extra) -> None:
    """Every login (password, invitation link, a later second factor) gets a new session id,
    so one planted before the login is worthless, and a row the account page lists."""
    interface = _server_side()
    if interface is None or user is None:
        return
    previous = session.get(LOGIN_KEY)
    if previous is not None:
        _delete_login_rows(select(LoginSession.id).where(LoginSession.id == previous))
    interface.regenerate(session)
    row = LoginSession(user_id=user.id, session_id=session.sid,
                       user_agent=(request.user_agent.string or "")[:300],
                       ip=(request.remote_addr or "")[:64])
    db.session.add(row)
    db.session.flush()
    session[LOGIN_KEY] = row.id
    db.session.commit()
    # The form token now, saved with the login: the pages after it then leave the stored
    # session as it is (no write per page).
    generate_csrf()


def _on_logged_out(_app, user=None, **_extra) -> None:
    """Logout deletes the stored session and its row: a copy of the cookie is dead."""
    interface = _server_side()
    if interface is None:
        return
    login_id = session.pop(LOGIN_KEY, None)
    if isinstance(login_id, int):
        _delete_login_rows(select(LoginSession.id).where(LoginSession.id == login_id))
        db.session.commit()
        close_login_sockets([login_id])
    interface.regenerate(session)


# --- the current login -------------------------------------------------------------------
def current_login_id() -> int | None:
    login_id = session.get(LOGIN_KEY) if _has_session() else None
    return login_id if isinstance(login_id, int) else None


def _has_session() -> bool:
    try:
        return isinstance(session._get_current_object(), ServerSideSession)
    except RuntimeError:  # no request
        return False


# (database, login id) -> when this process last noted a visit
_noted_at: dict[tuple[str, int], float] = {}


def _note_seen(login_id: int, now: datetime) -> None:
    """last_seen_at, once a minute per login and process; the stored session is re-saved
    too, so it expires a lifetime after the last visit.

    On the request's own connection, committed at once (this runs while the login is
    loaded, before the page has written anything): a transaction of its own would hold a
    second pooled connection per request, and when every pooled connection belongs to a
    request waiting for its second one, the process stalls until the pool times out (seen
    under load: pages stopped answering for 30 s each minute)."""
    clock, key = time.monotonic(), (str(db.engine.url), login_id)
    if clock - _noted_at.get(key, float("-inf")) < SEEN_RESOLUTION.total_seconds():
        return  # another request of this login is noting it (or just did)
    if len(_noted_at) > 50_000:
        _noted_at.clear()
    _noted_at[key] = clock
    current = db.session()
    if current.new or current.dirty or current.deleted:
        return  # the request is writing already: the next visit notes it
    try:
        current.execute(update(LoginSession)
                        .where(LoginSession.id == login_id,
                               LoginSession.last_seen_at < now - SEEN_RESOLUTION)
                        .values(last_seen_at=now)
                        .execution_options(lms_cache_rows=[login_id]))
        current.commit()
        session.modified = True
    except SQLAlchemyError:  # a visit not noted is no reason to refuse the request
        current.rollback()
        _noted_at.pop(key, None)
        log.warning("could not note the visit of login %s", login_id)


_USER_FIELDS = ("email", "name", "active", "session_version")


def live_login_user(user_id: int, version: int) -> User | None:
    """The user of this request's login cookie, if the login is live and the password has not
    changed since (Flask-Login's user loader). The user and login rows are kept by lms.cache
    until either is written, so a page does not read them again; ending a login, a new
    password or a deactivation writes them, and the next request anywhere sees it."""
    if not _has_session():
        user = db.session.get(User, user_id)
        ok = user is not None and user.active and user.session_version == version
        return user if ok else None
    login_id = current_login_id()
    if login_id is None:
        return None

    def read() -> dict:
        user = db.session.get(User, user_id)
        row = db.session.get(LoginSession, login_id)
        return {
            "user": None if user is None else {
                "id": user.id, "created_at": {"$dt": user.created_at.isoformat()},
                **{f: getattr(user, f) for f in _USER_FIELDS}},
            "login": None if row is None else {
                "user_id": row.user_id, "session_id": row.session_id,
                "last_seen_at": row.last_seen_at.isoformat()}}

    found = cached("auth.login.2", (user_id, login_id), read, track=False, ttl=AUTH_TTL,
                   deps=(*row_deps("users", user_id), *row_deps("login_sessions", login_id)))
    user, login = found["user"], found["login"]
    if user is None or not user["active"] or user["session_version"] != version:
        return None
    if login is None or login["user_id"] != user_id or login["session_id"] != session.sid:
        return None
    now = utcnow()
    if now - datetime.fromisoformat(login["last_seen_at"]) >= SEEN_RESOLUTION:
        _note_seen(login_id, now)
    # Built from the kept fields without a query (the password hash is left unloaded: read
    # from the database if anything asks).
    return attach(User, user)


def join_login_room() -> None:
    """Put a socket opened with the login cookie in its login's room (in its namespace)."""
    login_id = current_login_id()
    if login_id is not None:
        join_room(login_room(login_id))


def login_room(login_id: int) -> str:
    return f"{ENDING_ROOM_PREFIX}login:{login_id}"


def close_login_sockets(login_ids: list[int]) -> None:
    """Disconnect the sockets of these logins on every process (call after the commit)."""
    server = socketio.server
    if server is None or not login_ids:
        return
    namespaces = set(server.handlers) | set(server.namespace_handlers) | {"/"}
    for namespace in sorted(n for n in namespaces if n != "*"):
        for login_id in login_ids:
            try:
                server.close_room(login_room(login_id), namespace=namespace)
            except Exception:  # ending a login must succeed whatever the queue does
                log.exception("could not close the sockets of login %s", login_id)


# --- services ----------------------------------------------------------------------------
def list_logins(user: User) -> list[LoginSession]:
    """The user's live logins, the most recently seen first."""
    since = utcnow() - current_app.permanent_session_lifetime
    return list(db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id,
                                   LoginSession.last_seen_at > since)
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))


def delete_expired_logins(now: datetime | None = None) -> int:
    """Forget logins unused for a session lifetime and expired stored sessions (the
    database backend; Redis expires its own); returns how many logins. Flushes."""
    now = now or utcnow()
    gone = db.session.execute(
        delete(LoginSession)
        .where(LoginSession.last_seen_at < now - current_app.permanent_session_lifetime)
        .execution_options(synchronize_session=False)).rowcount or 0
    db.session.execute(delete(ServerSession).where(ServerSession.expiry <= now)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    return gone


def end_login(user: User, login_id: int) -> int:
    """End one of the user's logins; raises NotFound for another person's or a gone one."""
    row = db.session.get(LoginSession, login_id)
    if row is None or row.user_id != user.id:
        raise NotFound("そのログインは見つかりません。")
    _delete_login_rows(select(LoginSession.id).where(LoginSession.id == login_id))
    return login_id


def end_logins(user: User, keep: int | None = None) -> list[int]:
    """End every login of the user (but `keep`); returns their ids for close_login_sockets."""
    query = select(LoginSession.id).where(LoginSession.user_id == user.id)
    if keep is not None:
        query = query.where(LoginSession.id != keep)
    return _delete_login_rows(query)


def _delete_login_rows(ids_query) -> list[int]:
    rows = db.session.execute(
        select(LoginSession.id, LoginSession.session_id)
        .where(LoginSession.id.in_(ids_query))).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    store_ids = [current_app.config["SESSION_KEY_PREFIX"] + r.session_id for r in rows]
    db.session.execute(delete(LoginSession).where(LoginSession.id.in_(ids))
                       .execution_options(synchronize_session=False))
    interface = current_app.session_interface
    if isinstance(interface, DatabaseSessionInterface):
        db.session.execute(delete(ServerSession).where(ServerSession.session_id.in_(store_ids)))
    elif isinstance(interface, ServerSideSessionInterface):
        for store_id in store_ids:  # Redis: at once; the row is gone anyway
            try:
                interface._delete_session(store_id)
            except Exception:
                log.exception("could not delete a stored session")
    return ids
