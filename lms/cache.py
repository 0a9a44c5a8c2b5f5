"""Parts of pages kept across requests (and, through Redis, across processes), each valid only
while the database tables it was built from are unchanged.

Every table has a version number. Whatever writes through SQLAlchemy (ORM, bulk, Core or text
SQL; app, CLI or worker) bumps the versions of the tables it wrote when its transaction commits:
once just before the commit and once after it, so a reader that read the old rows in between can
only have stored them under the version that the second bump retires. A cached part records the
versions of every table its queries read (seen at the engine, not listed by hand) plus the
tables of objects it was handed (`deps`); it is served only while all of them are unchanged.
A statement that is not a plain INSERT/UPDATE/DELETE (DDL, a migration) retires everything.

Backends: `redis` (the default with REDIS_URL: every process agrees), `memory` (one process:
tests, and a single-process server that only it writes to) and `off` (the default without
Redis: another process, such as a CLI command, could write without this process hearing of it).
A cache that does not answer (Redis down) is never an error: the part is computed as before.

Nothing is stored while the request's own transaction holds uncommitted writes, so a part never
shows what a rollback would undo. Parts are text (HTML) or JSON values, never ORM objects; what
differs per viewer must be in the key.
"""

from __future__ import annotations

import contextvars
import json
import logging
import math
import re
import sys
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

T = TypeVar("T")
EVERYTHING = "*"  # the version every part depends on: bumped by DDL and unparsed writes
DEFAULT_TTL = 600  # seconds; bounds what a lost bump (Redis restarted) could leave stale

_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)',
    re.IGNORECASE)
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?([a-z_][a-z0-9_]*)', re.IGNORECASE)
_PASSIVE = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK", "SHOW",
            "SET ", "EXPLAIN", "VACUUM", "ANALYZE", "LISTEN")
_DIRTY = "lms_cache_dirty"  # tables written in the connection's open transaction
_COMMITTED = "lms_cache_committed"  # written and committed, awaiting the second bump
_STORE = "lms_cache_store"  # the store told about the connection's writes

# Tables whose rows are also versioned one by one ("users#12"), for parts that depend on one
# row only (the login of a request, lms.auth): the ORM's flushes name the rows they write;
# a statement that writes such a table otherwise (bulk, Core, text) retires all its rows
# ("users#*"), unless it names its rows in the execution option `lms_cache_rows`.
ROW_KEYS = {"users": "id", "login_sessions": "id", "server_sessions": "session_id"}
_flushing: contextvars.ContextVar = contextvars.ContextVar("lms_cache_flushing", default=None)


def row_scope(table: str, key) -> str:
    return f"{table}#{key}"


def row_deps(table: str, key) -> tuple[str, str]:
    """What a part that read this row depends on: the row and the table's bulk writes."""
    return row_scope(table, key), row_scope(table, "*")


class Store(Protocol):
    def versions(self, tables: Iterable[str]) -> dict[str, int]: ...

    def bump(self, tables: Iterable[str]) -> None: ...

    def get(self, key: str) -> dict | None: ...

    def set(self, key: str, entry: dict, ttl: int) -> None: ...


class MemoryStore:
    """This process only; bounded, oldest entries dropped first."""

    def __init__(self, max_entries: int = 4000) -> None:
        self._lock = threading.Lock()
        self._versions: dict[str, int] = {}
        self._entries: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self._max = max_entries

    def versions(self, tables: Iterable[str]) -> dict[str, int]:
        v = self._versions
        return {t: v.get(t, 0) for t in tables}

    def bump(self, tables: Iterable[str]) -> None:
        with self._lock:
            for t in tables:
                self._versions[t] = self._versions.get(t, 0) + 1

    def get(self, key: str) -> dict | None:
        found = self._entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return json.loads(found[1])  # a copy each time, as from Redis

    def set(self, key: str, entry: dict, ttl: int) -> None:
        raw = json.dumps(entry, ensure_ascii=False)
        with self._lock:
            self._entries[key] = (time.monotonic() + ttl, raw)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


class RedisStore:
    """Shared by every process using the same Redis and database (the prefix names both)."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._prefix = prefix
        self._errors = redis.RedisError
        self._warned_at = 0.0
        self._epoch_key = f"{prefix}v:~epoch"  # moved by every bump
        # Set once per Redis life: after a restart (versions back at 0) an epoch number seen
        # before is not taken for the same moment.
        self._life_key = f"{prefix}v:~life"
        # (life, epoch, tables, their versions): every table's version as last read here
        self._known: tuple[bytes, int, tuple[str, ...], dict[str, int]] | None = None
        self.on_new_life: Callable[[], None] | None = None  # (drop this process's copies)

    def _failed(self, what: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > 30:  # once per 30 s, not per request
            self._warned_at = now
            log.warning("page cache: Redis did not answer (%s: %s); computing instead",
                        what, exc)

    def versions(self, tables: Iterable[str]) -> dict[str, int]:
        tables = list(tables)
        values = self._redis.mget([f"{self._prefix}v:{t}" for t in tables])
        return {t: int(v or 0) for t, v in zip(tables, values, strict=True)}

    def with_every_table(self, keys: list[str], tables: list[str]) -> dict[str, int]:
        """The versions of every table and of `keys` (rows): one round trip for the keys and
        the epoch while no write happened since this process last read every table; two
        otherwise (the tables are read together with the epoch, so they are as of it)."""
        names = tuple(tables)
        keys = [k for k in keys if "#" in k or k not in names]  # (tables come with every)
        values = self._redis.mget([self._epoch_key, self._life_key,
                                   *(f"{self._prefix}v:{k}" for k in keys)])
        epoch, life = int(values[0] or 0), values[1]
        known = self._known
        if life is None or known is None or known[:3] != (life, epoch, names):
            if life is None:  # a new (or flushed) Redis
                self._redis.set(self._life_key, uuid.uuid4().hex, nx=True)
            fresh = self._redis.mget([self._epoch_key, self._life_key,
                                      *(f"{self._prefix}v:{t}" for t in names)])
            if known is not None and known[0] != fresh[1] and self.on_new_life is not None:
                self.on_new_life()  # parts copied here were checked against the old life
            known = self._known = (fresh[1], int(fresh[0] or 0), names,
                                   {t: int(v or 0) for t, v in zip(names, fresh[2:],
                                                                   strict=True)})
        out = dict(known[3])
        out.update((k, int(v or 0)) for k, v in zip(keys, values[2:], strict=True))
        return out

    def bump(self, tables: Iterable[str]) -> None:
        try:
            pipe = self._redis.pipeline(transaction=False)
            for t in tables:
                pipe.incr(f"{self._prefix}v:{t}")
            pipe.incr(self._epoch_key)  # after the tables: an epoch seen is never ahead
            pipe.execute()
        except self._errors as exc:
            self._failed("bump", exc)

    def get(self, key: str) -> dict | None:
        raw = self._redis.get(f"{self._prefix}e:{key}")
        return json.loads(raw) if raw is not None else None

    def set(self, key: str, entry: dict, ttl: int) -> None:
        self._redis.set(f"{self._prefix}e:{key}", json.dumps(entry, ensure_ascii=False), ex=ttl)


_FLAT = (str, int, float, bool, type(None))


class LocalEntries:
    """Entries this process has already fetched, kept beside the store: a hit still checks
    the entry's versions (from the request's snapshot), so it costs no round trip to Redis
    and no decoding. Bounded by the memory its values take (a page with an emoji is held at
    four bytes a character); the oldest stored are dropped first."""

    def __init__(self, max_bytes: int = 64_000_000) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, dict, object, int]] = OrderedDict()
        self._bytes = 0  # held by the values
        self._max = max_bytes

    def get(self, key: str) -> tuple[dict, object, float] | None:
        """(deps, value, until): until is when the entry ends (time.time())."""
        found = self._entries.get(key)
        if found is None:
            return None
        until, deps, value, _size = found
        if until < time.time():
            return None
        # Every caller gets its own copy of a JSON value: a shallow one of a flat dict (the
        # strings in it are immutable), a decoded one otherwise.
        if isinstance(value, dict):
            value = dict(value)
        elif isinstance(value, tuple):
            value = json.loads(value[0])
        return deps, value, until

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def put(self, key: str, deps: dict, value: object, until: float) -> None:
        if isinstance(value, str):
            kept, size = value, sys.getsizeof(value)
        elif isinstance(value, dict) and all(isinstance(v, _FLAT) for v in value.values()):
            kept = dict(value)
            size = sys.getsizeof(kept) + sum(sys.getsizeof(v) for v in kept.values())
        else:
            kept = (json.dumps(value, ensure_ascii=False),)
            size = sys.getsizeof(kept[0])
        if size > self._max // 8:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[3]
            self._entries[key] = (until, deps, kept, size)
            self._bytes += size
            while self._bytes > self._max and self._entries:
                _key, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped[3]


# --- which store serves which engine --------------------------------------------------------
_stores: weakref.WeakKeyDictionary[Engine, Store] = weakref.WeakKeyDictionary()
_local: weakref.WeakKeyDictionary[Store, LocalEntries] = weakref.WeakKeyDictionary()


class _Reads(set):
    """What a part being computed read (tables, rows), and until when what it used lives: a
    part built from another part that ends sooner (a shorter ttl) ends with it."""

    until = math.inf


_recording: contextvars.ContextVar[list[_Reads] | None] = contextvars.ContextVar(
    "lms_cache_recording", default=None)


def build_store(config: dict) -> Store | None:
    backend = config.get("CACHE_BACKEND")
    if backend == "memory":
        return MemoryStore()
    if backend == "redis":
        database = config["SQLALCHEMY_DATABASE_URI"].rsplit("/", 1)[-1].split("?")[0]
        return RedisStore(config["CACHE_REDIS_URL"],
                          f"lms:cache:{config.get('CACHE_PREFIX') or database}:")
    return None


def install(app, engine: Engine) -> None:
    """Serve `app`'s parts from the store its config names, fed by `engine`'s writes."""
    store = build_store(app.config)
    app.extensions["lms_cache"] = store
    if store is None:
        return
    _local[store] = local = LocalEntries()
    if isinstance(store, RedisStore):
        store.on_new_life = local.clear
    _stores[engine] = store
    if not event.contains(engine, "before_cursor_execute", _seen):
        event.listen(engine, "before_cursor_execute", _seen)
        event.listen(engine, "commit", _committing)
        event.listen(engine, "rollback", _rolled_back)
        event.listen(engine, "begin", _beginning)
        event.listen(engine.pool, "checkin", _checked_in)
    from sqlalchemy.orm import Session

    if not event.contains(Session, "before_flush", _flush_starting):
        event.listen(Session, "before_flush", _flush_starting)
        event.listen(Session, "after_flush", _rows_flushed)


def store_for_app(app) -> Store | None:
    return app.extensions.get("lms_cache")


# --- the engine's statements -----------------------------------------------------------------
def _tables_written(statement: str) -> str | None:
    head = statement.lstrip()[:10].upper()
    if head.startswith(_PASSIVE):
        return None
    found = _WRITE.match(statement)
    if found:
        return found.group(1).lower()
    if head.startswith("WITH") and not re.search(r"\b(INSERT|UPDATE|DELETE)\b", statement,
                                                 re.IGNORECASE):
        return None
    return EVERYTHING


def _seen(conn, _cursor, statement, _parameters, _context, _executemany) -> None:  # noqa: PLR0913
    table = _tables_written(statement)
    if table is None:
        stack = _recording.get()
        if stack:
            stack[-1].update(t.lower() for t in _READ.findall(statement))
        return
    info = conn.info  # the pooled connection's: outlives this Connection until check-in
    dirty = info.setdefault(_DIRTY, set())
    dirty.add(table)
    if table in ROW_KEYS:
        named = _context.execution_options.get("lms_cache_rows") if _context else None
        if named:
            dirty.update(row_scope(table, key) for key in named)
        elif not _in_orm_flush():  # a flush names its rows (_rows_flushed)
            dirty.add(row_scope(table, "*"))
    info[_STORE] = _stores.get(conn.engine)


def _in_orm_flush() -> bool:
    ref = _flushing.get()
    session = ref() if ref is not None else None
    return bool(session is not None and session._flushing)


def _flush_starting(session, _context, _instances) -> None:
    _flushing.set(weakref.ref(session))


def _rows_flushed(session, _context) -> None:
    rows = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in ROW_KEYS:
            key = getattr(obj, ROW_KEYS[table], None)
            rows.add(row_scope(table, key if key is not None else "*"))
    if rows:
        for conn in _session_connections(session):
            conn.info.setdefault(_DIRTY, set()).update(rows)


def _committing(conn) -> None:
    info = conn.info
    tables = info.pop(_DIRTY, None)
    if tables:
        store = info.get(_STORE)
        if store is not None:
            store.bump(tables)  # the first bump: before the rows are visible
            _forget_versions()
        info.setdefault(_COMMITTED, set()).update(tables)


def _rolled_back(conn) -> None:
    conn.info.pop(_DIRTY, None)
    _second_bump(conn.info)


def _beginning(conn) -> None:
    _second_bump(conn.info)  # the previous transaction on this connection has ended


def _checked_in(_dbapi_connection, record) -> None:
    info = record.info
    # Writes still marked dirty at check-in were autocommitted or are being reset away: bump
    # them anyway (a needless bump costs one recomputation; a missed one would serve stale).
    leftover = info.pop(_DIRTY, None)
    if leftover:
        info.setdefault(_COMMITTED, set()).update(leftover)
    _second_bump(info)


def _second_bump(info: dict) -> None:
    tables = info.pop(_COMMITTED, None)
    store = info.get(_STORE)
    if tables and store is not None:
        store.bump(tables)
        _forget_versions()


# --- cached parts ----------------------------------------------------------------------------
def _current_store() -> Store | None:
    from flask import current_app, has_app_context

    return store_for_app(current_app) if has_app_context() else None


def _uncommitted_writes() -> bool:
    """Whether the request's transaction holds writes that a rollback could still undo."""
    from lms.extensions import db

    session = db.session()  # the request's Session itself (not the scoped proxy)
    if session.new or session.dirty or session.deleted:
        return True
    if not session.in_transaction():
        return False
    return any(conn.info.get(_DIRTY) for conn in _session_connections(session))


def _session_connections(session):
    transaction = session.get_transaction()
    if transaction is None:
        return []
    return [conn for conn, *_ in transaction._connections.values()]


def all_tables() -> list[str]:
    from lms.extensions import db

    return [EVERYTHING, *db.metadata.tables]


# A request reads the versions once (every table in one round trip, and the rows it asks
# about), then checks each part against that snapshot: the page is as of the moment it began.
# A commit made by the request itself forgets the snapshot, so it sees its own writes.
# The rows a request asks about later (the login's user row, once the session row names it)
# are learnt per first rows asked (the session's): the next request that begins with the same
# rows fetches them in its first round trip too.
_VERSIONS = "_lms_cache_versions"
_LEAD = "_lms_cache_lead"
_followers: dict[tuple[str, ...], tuple[str, ...]] = {}
MAX_FOLLOWERS = 20_000  # leads remembered per process (one per login session, about)


def _versions(store: Store, tables: Iterable[str]) -> dict[str, int]:
    from flask import has_request_context, request

    if not has_request_context():
        return store.versions(tables)
    req = request._get_current_object()
    memo = req.__dict__.get(_VERSIONS)
    first = memo is None
    if first:
        memo = req.__dict__[_VERSIONS] = {}
    tables = list(tables)
    missing = [t for t in tables if t not in memo]
    if missing:
        lead = req.__dict__.get(_LEAD)
        if first:
            if lead is None:
                lead = req.__dict__[_LEAD] = tuple(sorted(t for t in missing if "#" in t))
            keys = list(dict.fromkeys([*missing, *_followers.get(lead, ())]))
            every = getattr(store, "with_every_table", None)
            if every is not None:
                memo.update(every(keys, all_tables()))
                return {t: memo[t] for t in tables}
            missing = list(dict.fromkeys([*all_tables(), *keys]))
        elif lead:
            _learn_followers(lead, missing)
        memo.update(store.versions(missing))
    return {t: memo[t] for t in tables}


def _learn_followers(lead: tuple[str, ...], rows: list[str]) -> None:
    if len(_followers) >= MAX_FOLLOWERS:
        _followers.clear()
    known = _followers.get(lead, ())
    _followers[lead] = tuple(dict.fromkeys([*known, *rows]))[:16]


def _forget_versions() -> None:
    from flask import has_request_context, request

    if has_request_context():
        request._get_current_object().__dict__.pop(_VERSIONS, None)


def _valid(store: Store, deps: dict) -> bool:
    return _versions(store, deps) == deps


def cached(name: str, parts: tuple, compute: Callable[[], T], *, deps: Iterable[str] = (),
           ttl: int = DEFAULT_TTL, track: bool = True,
           keep: Callable[[T], bool] | None = None) -> T:
    """compute()'s value for `parts`, served from the cache while the tables it read (and
    `deps`, the tables of objects handed to it) are unchanged. The value must be text or JSON.
    With track=False it depends on `deps` alone (rows: row_deps); `keep` says which values
    are worth storing."""
    store = _current_store()
    if store is None:
        return compute()
    key = name + ":" + ":".join(str(p) for p in parts)
    if _uncommitted_writes():
        # This transaction has written what others cannot see yet: read it, keep nothing.
        return compute()
    local = _local.get(store)
    try:
        hit = _lookup(store, local, key, ttl)
        if hit is not None:
            return hit[1]  # type: ignore[return-value]
    except Exception as exc:  # noqa: BLE001  (a cache that does not answer is no error)
        _report(store, "get", exc)
        return compute()
    # One computation per part and process at a time: the requests that miss together (a
    # part's lifetime ended, or a write retired it, under load) wait for the first one's
    # value instead of each building it.
    flight = (id(store), key)
    with _flights_lock:
        running = _flights.get(flight)
        if running is None:
            _flights[flight] = threading.Event()
    if running is not None:
        if running.wait(FLIGHT_WAIT_S):
            try:
                hit = _lookup(store, local, key, ttl)
            except Exception as exc:  # noqa: BLE001
                _report(store, "get", exc)
                return compute()
            if hit is not None:
                return hit[1]  # type: ignore[return-value]
        return _compute_and_keep(store, local, key, compute, deps, ttl, track, keep)
    try:
        return _compute_and_keep(store, local, key, compute, deps, ttl, track, keep)
    finally:
        with _flights_lock:
            _flights.pop(flight).set()


FLIGHT_WAIT_S = 5.0
_flights: dict[tuple[int, str], threading.Event] = {}
_flights_lock = threading.Lock()


def _lookup(store: Store, local: LocalEntries | None, key: str, ttl: int):
    """(deps, value) of a valid entry: this process's copy, else the store's; or None."""
    found = local.get(key) if local is not None else None
    if found is not None and _valid(store, found[0]):
        _tell_enclosing(found[0], found[2])
        return found[0], found[1]
    entry = store.get(key)
    if entry is None:
        return None
    until = entry.get("until") or time.time() + ttl
    if until > time.time() and _valid(store, entry["deps"]):
        if local is not None:
            local.put(key, entry["deps"], entry["value"], until)
        _tell_enclosing(entry["deps"], until)
        return entry["deps"], entry["value"]
    return None


def _tell_enclosing(deps: dict, until: float) -> None:
    """A part served inside another part's computation: the outer part depends on what this
    one was built from (a row's version counts as its table's, which every write bumps) and
    ends no later than this one."""
    stack = _recording.get()
    if stack:
        stack[-1].update(t.split("#", 1)[0] for t in deps)
        stack[-1].until = min(stack[-1].until, until)


def _compute_and_keep(store: Store, local: LocalEntries | None, key: str, compute, deps,  # noqa: PLR0913
                      ttl: int, track: bool, keep):
    deps = list(deps)
    try:
        # Versions before reading (the request's, or older): a write that commits meanwhile
        # makes them old, so what is read now is kept under versions that are retired.
        before = _versions(store, [*(all_tables() if track else [EVERYTHING]), *deps])
    except Exception as exc:  # noqa: BLE001
        _report(store, "get", exc)
        return compute()
    stack = _recording.get()
    if stack is None:
        stack = []
        _recording.set(stack)
    read = _Reads()
    # (untracked: what it reads is not recorded, but the lifetimes of parts it uses are)
    frame = read if track else _Reads()
    stack.append(frame)
    try:
        value = compute()
    finally:
        stack.pop()
    until = min(time.time() + ttl, frame.until)
    if stack:
        if track:
            stack[-1].update(read)  # an enclosing part depends on what this one read
        stack[-1].until = min(stack[-1].until, until)
    read.update(deps)
    read.add(EVERYTHING)
    if (keep is not None and not keep(value)) or _uncommitted_writes():
        return value  # (a write made while computing is not kept either)
    lifetime = math.ceil(until - time.time())
    if lifetime <= 0:
        return value
    try:
        kept = {t: before.get(t, 0) for t in sorted(read)}
        store.set(key, {"deps": kept, "value": value, "until": until}, lifetime)
        if local is not None:
            local.put(key, kept, value, until)
    except Exception as exc:  # noqa: BLE001
        _report(store, "set", exc)
    return value


def _report(store: Store, what: str, exc: Exception) -> None:
    failed = getattr(store, "_failed", None)
    if failed is not None:
        failed(what, exc)
    else:
        log.warning("page cache %s failed: %s", what, exc)


# --- cached HTML -------------------------------------------------------------------------------
# A form's token differs per login, so a cached part holds this slot where the token goes
# and each response fills in its own. User content cannot produce it: names are escaped and
# message bodies are sanitized (nh3 drops comments).
CSRF_SLOT = "<!--lms:csrf-->"


def cached_html(name: str, parts: tuple, render: Callable[[str], str], *,
                deps: Iterable[str] = (), ttl: int = DEFAULT_TTL):
    """Markup rendered by render(csrf) (csrf: the slot to put where the form token goes),
    kept like cached(); the token of this login is filled in on the way out (by the
    enclosing part's, when this one is rendered inside another part being built)."""
    from markupsafe import Markup

    html = cached(name, parts, lambda: str(render(Markup(CSRF_SLOT))), deps=deps, ttl=ttl)
    return Markup(html if _recording.get() else fill_token(html))


def fill_token(html: str) -> str:
    """`html` with this login's form token where a kept part holds the slot."""
    from flask_wtf.csrf import generate_csrf

    return html.replace(CSRF_SLOT, generate_csrf()) if CSRF_SLOT in html else html


# A fresh form's client id (a retried post with the same id stores nothing new) differs per
# page view: a kept page holds `value="<slot>"` and each response gets a new id. Only an
# attribute the templates write can match (user text cannot produce a bare quote).
CLIENT_ID_SLOT = "lms-client-id-slot"
_CLIENT_ID_ATTR = f'value="{CLIENT_ID_SLOT}"'


# What base.html shows around every page: the reader's name and the bell's count.
LAYOUT_TABLES = ("users", "notifications")


def cached_page(name: str, parts: tuple, render: Callable[[], str], *,
                deps: Iterable[str] = (), ttl: int = DEFAULT_TTL) -> str:
    """A whole page rendered by render() (with render_part, so form tokens become the slot;
    a fresh form's client id is CLIENT_ID_SLOT), kept like cached() for what is in `parts`.
    What differs per response is filled in on the way out: the form token and new client ids.
    `parts` must name the reader (their name is in the layout, LAYOUT_TABLES).
    A page with a message waiting to be shown (flash) is rendered, not kept."""
    from flask import session

    if session.get("_flashes"):
        html = str(render())
    else:
        html = cached(name, parts, lambda: str(render()), deps=(*deps, *LAYOUT_TABLES),
                      ttl=ttl)
    html = fill_token(html)
    while _CLIENT_ID_ATTR in html:
        html = html.replace(_CLIENT_ID_ATTR, f'value="{uuid.uuid4()}"', 1)
    return html


def render_part(template: str, **context) -> str:
    """render_template for a cached part: a form token it asks for becomes the slot."""
    from flask import render_template
    from markupsafe import Markup

    # Markup: an attribute (the layout's meta tag and logout form) must not escape the slot.
    return render_template(template, csrf_token=lambda: Markup(CSRF_SLOT), **context)


# --- rows kept as plain values ------------------------------------------------------------------
def snapshot(obj) -> dict | None:
    """The column values of an ORM object, as JSON (for cached(); restore with attach)."""
    if obj is None:
        return None
    from datetime import date, datetime

    from sqlalchemy import inspect

    out = {}
    for attr in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        if isinstance(value, datetime):
            value = {"$dt": value.isoformat()}
        elif isinstance(value, date):
            value = {"$d": value.isoformat()}
        out[attr.key] = value
    return out


def attach(model, fields: dict | None):
    """The object of the request's database session with these column values: the one already
    loaded, or one made from them without a query (as if just read)."""
    if fields is None:
        return None
    from datetime import date, datetime

    from sqlalchemy import inspect
    from sqlalchemy.orm import make_transient_to_detached
    from sqlalchemy.orm.attributes import set_committed_value

    from lms.extensions import db

    mapper = inspect(model)
    pk = tuple(fields[mapper.get_property_by_column(c).key] for c in mapper.primary_key)
    session = db.session()
    existing = session.identity_map.get(session.identity_key(model, pk))
    if existing is not None:
        return existing
    obj = mapper.class_manager.new_instance()
    for key, value in fields.items():
        if isinstance(value, dict) and len(value) == 1:
            if "$dt" in value:
                value = datetime.fromisoformat(value["$dt"])
            elif "$d" in value:
                value = date.fromisoformat(value["$d"])
        set_committed_value(obj, key, value)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj
