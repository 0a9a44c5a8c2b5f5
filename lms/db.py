"""Declarative base with a naming convention, and timestamp helpers."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC; SQLite forgets offsets, so restore them."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use timezone-aware values")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys (ON DELETE CASCADE), let readers run beside a writer
    (WAL) and wait for the write lock instead of failing at once."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# SQLite's own transaction handling in pysqlite starts a transaction only before the first
# INSERT/UPDATE, as a deferred one: a request that read first and then writes fails at once
# with "database is locked" when another writer got in between (waiting cannot help, its
# snapshot is stale). So take over BEGIN, as the SQLAlchemy documentation describes for
# pysqlite: a transaction that may write starts with BEGIN IMMEDIATE and queues for the write
# lock (busy_timeout) before it reads anything; plain page views stay deferred readers.
SOCKETIO_PATH = "/socket.io"  # Flask-SocketIO's default, which the app keeps
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Endpoints that only rarely write, and spend long in between (argon2): readers.
DEFERRED_ENDPOINTS = frozenset({"auth.login"})


@event.listens_for(Engine, "connect")
def _sqlite_own_transactions(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # pysqlite emits no BEGIN of its own


def _may_write() -> bool:
    """Whether the transaction now beginning belongs to work that may write: an unsafe HTTP
    method, a Socket.IO event, or anything outside a request (CLI, worker)."""
    from flask import has_request_context, request

    if not has_request_context():
        return True
    # A Socket.IO event. Flask-SocketIO sets `request.sid` only after it has loaded the
    # session, which may already begin the transaction: the path marks the event from the
    # start (HTTP requests under it never reach Flask, the Socket.IO middleware answers them).
    if getattr(request, "sid", None) is not None or request.path.startswith(SOCKETIO_PATH):
        return True
    if request.__dict__.get(_WRITING):
        return True
    return request.method in UNSAFE_METHODS and request.endpoint not in DEFERRED_ENDPOINTS


_WRITING = "_lms_writing"


def begin_writing() -> None:
    """A page view (GET) that is about to write, such as marking a channel read. On SQLite
    its read transaction could not take the write lock once another writer has committed
    (the same "database is locked" as above), so it is ended here (nothing was written in
    it) and what follows begins IMMEDIATE. Elsewhere this does nothing."""
    from flask import has_request_context, request

    from lms.extensions import db

    if not has_request_context():
        return
    request.__dict__[_WRITING] = True
    session = db.session()
    if (session.in_transaction() and session.get_bind().dialect.name == "sqlite"
            and not (session.new or session.dirty or session.deleted)):
        session.commit()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


# --- Work after the commit ------------------------------------------------------------------
# Signal handlers run inside the sender's transaction; what must wait until the data is
# committed (a Socket.IO broadcast) is queued on the session and run after its commit, or
# dropped with a rollback. SQL cannot run there: query what the callback needs beforehand.
_AFTER_COMMIT = "lms_after_commit"


def after_commit(session, callback) -> None:
    """Run `callback()` once the current transaction of `session` commits."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback keeps the outer work
        session.info.pop(_AFTER_COMMIT, None)


# --- Per-request memo -----------------------------------------------------------------------
# A page asks the same questions several times (the reader's membership, their team, the
# cohort's homework) from loaders, services and template helpers that do not know of each
# other. Within one request the answer is computed once; any write through the session
# (flush, bulk UPDATE/DELETE, commit, rollback) forgets everything, so a request that changes
# a membership and then reads it sees the change. Nothing outlives the request, so no other
# request or process can be served a stale answer (permissions included).
_MEMO = "_lms_memo"
_MISSING = object()


def per_request(key: tuple, compute):
    """compute() once per request and key; outside a request, every call computes."""
    from flask import has_request_context, request

    if not has_request_context():
        return compute()
    memo = request.__dict__.setdefault(_MEMO, {})
    value = memo.get(key, _MISSING)
    if value is _MISSING:
        value = memo[key] = compute()
    return value


def remember_per_request(key: tuple, value) -> None:
    """Tell the memo an answer found another way (per_request(key, ...) then returns it)."""
    from flask import has_request_context, request

    if has_request_context():
        request.__dict__.setdefault(_MEMO, {})[key] = value


def forget_per_request() -> None:
    from flask import has_request_context, request

    if has_request_context():
        request.__dict__.pop(_MEMO, None)


@event.listens_for(Session, "after_flush")
def _forget_after_flush(session, _flush_context) -> None:
    forget_per_request()


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session) -> None:
    forget_per_request()


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session, _previous_transaction) -> None:
    forget_per_request()


@event.listens_for(Session, "do_orm_execute")
def _forget_on_bulk_write(orm_execute_state) -> None:
    if orm_execute_state.is_update or orm_execute_state.is_delete or \
            orm_execute_state.is_insert:
        forget_per_request()
