"""lms.cache: a kept part is served while the tables it read are unchanged, and recomputed
after any write to them, whichever way the write is made; never an error when the cache is
down; shared between processes through Redis."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from lms import cache
from lms.app import create_app
from lms.auth.models import User
from lms.extensions import db as _db


@pytest.fixture
def names(app, make_user):
    """cached() over the user names, counting how often it really computed."""
    make_user("a@example.jp", "青木")
    make_user("b@example.jp", "馬場")
    calls = []

    def read() -> list[str]:
        def compute():
            calls.append(1)
            return list(_db.session.scalars(select(User.name).order_by(User.id)))
        return cache.cached("test.names", ("all",), compute)

    read.calls = calls
    return read


def test_kept_until_its_table_is_written_by_the_orm(names, db):
    assert names() == ["青木", "馬場"] and names() == ["青木", "馬場"]
    assert len(names.calls) == 1
    user = db.session.scalar(select(User).where(User.email == "b@example.jp"))
    user.name = "馬場 改"
    db.session.commit()
    assert names() == ["青木", "馬場 改"] and len(names.calls) == 2


@pytest.mark.parametrize("how", ["bulk", "text", "core"])
def test_bulk_core_and_text_writes_retire_it_too(names, db, how):
    names()
    if how == "bulk":
        db.session.execute(update(User).where(User.email == "a@example.jp").values(name="X"))
        db.session.commit()
    elif how == "text":
        db.session.execute(text("UPDATE users SET name = 'X' WHERE email = 'a@example.jp'"))
        db.session.commit()
    else:
        db.session.commit()  # (SQLite: one writer at a time)
        with db.engine.begin() as conn:  # outside the request's session
            conn.execute(update(User.__table__).where(User.email == "a@example.jp")
                         .values(name="X"))
    assert names()[0] == "X"


def test_a_write_to_another_table_keeps_it(names, db, make_cohort):
    names()
    db.session.execute(text("UPDATE municipalities SET name = name"))
    db.session.commit()
    names()
    assert len(names.calls) == 1


def test_rolled_back_writes_are_never_kept(names, db):
    user = db.session.scalar(select(User).where(User.email == "a@example.jp"))
    user.name = "取り消される名前"
    db.session.flush()
    assert names()[0] == "取り消される名前"  # this transaction sees its own write...
    db.session.rollback()
    assert names()[0] == "青木"  # ...which was not kept for anyone after the rollback


def test_a_schema_change_retires_everything(names, db):
    names()
    db.session.execute(text("CREATE TABLE scratch (id INTEGER)"))
    db.session.commit()
    names()
    assert len(names.calls) == 2


def test_a_row_part_depends_on_its_row_and_on_bulk_writes(app, db, make_user):
    a, b = make_user("a@example.jp", "青木"), make_user("b@example.jp", "馬場")
    calls = []

    def name_of_a():
        def compute():
            calls.append(1)
            return _db.session.get(User, a.id).name
        return cache.cached("test.row", (a.id,), compute, track=False,
                            deps=cache.row_deps("users", a.id))

    assert name_of_a() == "青木"
    b.name = "馬場 改"  # another row: kept
    db.session.commit()
    assert name_of_a() == "青木" and len(calls) == 1
    db.session.get(User, a.id).name = "青木 改"  # its row, through the ORM
    db.session.commit()
    assert name_of_a() == "青木 改" and len(calls) == 2
    db.session.execute(update(User).values(active=True))  # a bulk write: every row
    db.session.commit()
    name_of_a()
    assert len(calls) == 3


def test_redis_down_is_no_error(app_config, tmp_path):
    from tests.conftest import free_port

    app = create_app({**app_config, "CACHE_BACKEND": "redis",
                      "CACHE_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    with app.app_context():
        _db.create_all()
        try:
            assert cache.cached("test.down", (), lambda: "computed") == "computed"
            _db.session.add(User(email="x@example.jp", name="X"))
            _db.session.commit()  # the bump fails quietly
            assert app.test_client().get("/login").status_code == 200
        finally:
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()


def test_processes_agree_through_redis(redis_url, tmp_path):
    """Two apps (as two processes would) on one database and one Redis: a write by one
    retires what the other kept."""
    import uuid

    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'two.db'}",
              "CACHE_BACKEND": "redis", "CACHE_REDIS_URL": redis_url,
              "CACHE_PREFIX": f"test-{uuid.uuid4().hex}"}
    first, second = create_app(config), create_app(config)
    calls = []

    def names():
        calls.append(1)
        return list(_db.session.scalars(select(User.name).order_by(User.id)))

    with first.app_context():
        _db.create_all()
        _db.session.add(User(email="a@example.jp", name="青木"))
        _db.session.commit()
        assert cache.cached("test.names", (), names) == ["青木"]
        assert cache.cached("test.names", (), names) == ["青木"] and len(calls) == 1
        _db.session.remove()
    with second.app_context():
        assert cache.cached("test.names", (), names) == ["青木"] and len(calls) == 1
        _db.session.add(User(email="b@example.jp", name="馬場"))
        _db.session.commit()
        _db.session.remove()
    with first.app_context():
        assert cache.cached("test.names", (), names) == ["青木", "馬場"]
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()
    with second.app_context():
        _db.engine.dispose()


def test_a_request_sees_its_own_commit(app, names, db):
    """Within one request a part is checked against the versions read when the request first
    asked; a commit made by the request itself forgets them, so what follows shows it."""
    with app.test_request_context("/"):
        assert names() == ["青木", "馬場"]
        user = db.session.scalar(select(User).where(User.email == "a@example.jp"))
        user.name = "青木 改"
        db.session.commit()
        assert names() == ["青木 改", "馬場"] and len(names.calls) == 2
        assert names() == ["青木 改", "馬場"] and len(names.calls) == 2


def test_a_process_copy_is_its_own(app, db):
    """A JSON value served from this process's copy is a copy: changing it changes nothing
    kept."""
    with app.test_request_context("/"):
        first = cache.cached("test.flat", (), lambda: {"a": 1, "b": "x"})
        first["a"] = 99
        assert cache.cached("test.flat", (), lambda: {"a": 2}) == {"a": 1, "b": "x"}
        nested = cache.cached("test.nested", (), lambda: {"rows": [1, 2]})
        nested["rows"].append(3)
        assert cache.cached("test.nested", (), lambda: {}) == {"rows": [1, 2]}


def test_requests_missing_together_build_a_part_once(app):
    """Under load, the requests that find a part retired at the same moment wait for the
    first one's value instead of each building it (what made p99 jump once a minute)."""
    import threading
    import time

    calls, answers = [], []
    started = threading.Event()

    def slow():
        calls.append(1)
        started.set()
        time.sleep(0.5)
        return "組み立てた部分"

    def request_it():
        with app.test_request_context("/"):
            answers.append(cache.cached("test.slow", (), slow))

    first = threading.Thread(target=request_it)
    first.start()
    assert started.wait(5)
    others = [threading.Thread(target=request_it) for _ in range(5)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join()
    assert answers == ["組み立てた部分"] * 6 and len(calls) == 1


def test_a_part_inside_another_follows_what_the_inner_one_read(app, names, db):
    """An outer part that shows an inner part served from the cache is retired by a write to
    the inner part's tables too."""
    names()  # the inner part is kept
    outer = []

    def build():
        outer.append(1)
        return "、".join(names())

    assert cache.cached("test.outer", (), build) == "青木、馬場"
    user = db.session.scalar(select(User).where(User.email == "b@example.jp"))
    user.name = "馬場 改"
    db.session.commit()
    assert cache.cached("test.outer", (), build) == "青木、馬場 改" and len(outer) == 2


def test_a_part_built_from_a_shorter_lived_part_ends_with_it(app, monkeypatch):
    """A page kept whole around a part that follows the clock (a one-minute lifetime) ends
    when that part ends, not ten minutes later."""
    import time

    now = [time.time()]
    monkeypatch.setattr(cache.time, "time", lambda: now[0])
    inner, outer = [], []

    def panel():
        def build():
            inner.append(1)
            return f"パネル{len(inner)}"
        return cache.cached("test.panel", (), build, ttl=60, track=False)

    def page():
        def build():
            outer.append(1)
            return f"ページ[{panel()}]"
        return cache.cached("test.page", (), build)

    with app.test_request_context("/"):
        assert page() == "ページ[パネル1]"
    now[0] += 30
    with app.test_request_context("/"):
        assert page() == "ページ[パネル1]" and len(outer) == 1
    now[0] += 31  # the panel has ended: so has the page built around it
    with app.test_request_context("/"):
        assert page() == "ページ[パネル2]" and len(outer) == 2
    now[0] += 30  # a page built around a kept panel lives no longer than what is left of it
    with app.test_request_context("/"):
        assert page() == "ページ[パネル2]"
    now[0] += 31
    with app.test_request_context("/"):
        assert page() == "ページ[パネル3]" and len(outer) == 3


@pytest.fixture
def redis_apps(redis_url, tmp_path):
    """Two apps (as two processes would) on one database, with 青木 in it, and one Redis under
    a prefix of their own; `names()` reads the user names through cached(), counting in
    `calls` how often it really computed."""
    import types
    import uuid

    prefix = f"test-{uuid.uuid4().hex}"
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'two.db'}",
              "CACHE_BACKEND": "redis", "CACHE_REDIS_URL": redis_url, "CACHE_PREFIX": prefix}
    first, second = create_app(config), create_app(config)
    calls: list[int] = []

    def names():
        def compute():
            calls.append(1)
            return list(_db.session.scalars(select(User.name).order_by(User.id)))
        return cache.cached("test.names", (), compute)

    with first.app_context():
        _db.create_all()
        _db.session.add(User(email="a@example.jp", name="青木"))
        _db.session.commit()
    yield types.SimpleNamespace(first=first, second=second, prefix=f"lms:cache:{prefix}:",
                                names=names, calls=calls)
    with first.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()
    with second.app_context():
        _db.engine.dispose()


def _add_user(app, email: str, name: str) -> None:
    with app.test_request_context("/"):
        _db.session.add(User(email=email, name=name))
        _db.session.commit()
        _db.session.remove()


def test_a_process_keeps_every_tables_version_until_anyone_writes(redis_apps):
    """Within requests a process asks Redis for an epoch (moved by every write) and the rows
    it needs, and reads every table's version again only when the epoch moved: a write by
    another process is still seen by the next request."""
    apps = redis_apps
    sent = []
    store = cache.store_for_app(apps.first)
    original = store._redis.execute_command

    def counting(*args, **kwargs):
        sent.append((args[0], len(args) - 1))
        return original(*args, **kwargs)

    store._redis.execute_command = counting
    try:
        for _ in range(2):
            with apps.first.test_request_context("/"):
                assert apps.names() == ["青木"]
        sent.clear()
        with apps.first.test_request_context("/"):
            assert apps.names() == ["青木"] and len(apps.calls) == 1
        # The epoch (and the Redis life) alone: no write since every table was read.
        assert sent == [("MGET", 2)]
        _add_user(apps.second, "b@example.jp", "馬場")
        sent.clear()
        with apps.first.test_request_context("/"):
            assert apps.names() == ["青木", "馬場"]
        assert sent[:2] == [("MGET", 2), ("MGET", len(cache.all_tables()) + 2)]
    finally:
        store._redis.execute_command = original


def test_a_restarted_redis_is_not_taken_for_the_one_before(redis_apps, redis_url):
    """Redis restarted without its data (versions back at 0) and written to until its epoch
    reached the number this process had last seen: the process still reads every table
    again and drops its copies, instead of serving what the old versions allowed."""
    import redis as redis_lib

    apps = redis_apps
    server = redis_lib.Redis.from_url(redis_url)
    for _ in range(2):
        with apps.first.test_request_context("/"):
            assert apps.names() == ["青木"]
    assert len(apps.calls) == 1
    epoch = server.get(f"{apps.prefix}v:~epoch")
    for key in server.scan_iter(f"{apps.prefix}*"):  # the restart
        server.delete(key)
    _add_user(apps.first, "b@example.jp", "馬場")
    server.set(f"{apps.prefix}v:~epoch", epoch)  # the same number, another life
    with apps.first.test_request_context("/"):
        assert apps.names() == ["青木", "馬場"]


def test_a_process_copies_stay_within_their_memory_bound():
    """The per-process copies are bounded by the memory their values take: a page with an
    emoji takes four bytes a character, and the oldest copies make room."""
    import sys
    import time

    local = cache.LocalEntries(max_bytes=4_000_000)
    page = "👍" + "あ" * 50_000  # about 200 KB in memory, 50,001 characters
    for n in range(30):
        local.put(f"page:{n}", {}, page, time.time() + 60)
    held = [n for n in range(30) if local.get(f"page:{n}") is not None]
    assert held == list(range(30 - len(held), 30))  # the newest ones
    assert len(held) * sys.getsizeof(page) <= 4_000_000 < (len(held) + 1) * sys.getsizeof(page)
