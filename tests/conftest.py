"""Shared fixtures: app, db, clients, factories, query counting, real services."""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import event

from lms import cache
from lms.app import create_app
from lms.extensions import db as _db

REQUIRE_SERVICES = os.environ.get("LMS_REQUIRE_SERVICES") == "1"
REQUIRE_BROWSER = os.environ.get("LMS_REQUIRE_BROWSER") == "1"
PASSWORD = "correct-horse-battery"


def need_service(reason: str):
    """Skip a test whose service is missing, but fail when CI requires services."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture
def app_config(tmp_path):
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
        # Cached parts of pages on, in this process: every test also checks that nothing
        # it changes is served stale (production shares the cache through Redis).
        "CACHE_BACKEND": "memory",
    }


def isolate_requests(app):
    """Tests keep one app context open (for db access), and Flask reuses it for every test
    request, so Flask-Login's per-request user cache (g._login_user) would carry one
    client's identity into another client's request. Production has a context per request;
    make the tests behave the same."""

    @app.before_request
    def _forget_previous_identity():
        from flask import g

        g.pop("_login_user", None)
        g.pop("csrf_token", None)  # Flask-WTF's token of the previous request's session

    return app


@pytest.fixture
def app(app_config):
    app = isolate_requests(create_app(app_config))
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(db):
    from lms.auth.services import hash_password
    from lms.cohorts.services import ensure_user

    counter = iter(range(1, 10_000))
    pw_hash = hash_password(PASSWORD)

    def factory(email: str | None = None, name: str = "テスト 利用者", password=True):
        user = ensure_user(email or f"user{next(counter)}@example.jp", name,
                           pw_hash if password else None)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def demo(db):
    """The demo cohort as `lms demo` builds it (sessions 1-2 past, 3 next week)."""
    from lms.demo import build_demo

    result = build_demo(PASSWORD)
    db.session.commit()
    return result.cohort


@pytest.fixture
def make_cohort(db):
    """An empty cohort from the course template, with its organizer."""
    from lms.cohorts.services import ensure_user, sync_municipalities
    from lms.courses import DEFAULT_COURSE_DIR, load_course
    from lms.provisioning import create_cohort_from_course

    def factory(slug: str = "other-cohort", title: str = "別の研修",
                starts_on: date = date(2030, 4, 1), organizer_email="org2@example.jp"):
        sync_municipalities()
        organizer = ensure_user(organizer_email, "別の主催者")
        cohort = create_cohort_from_course(load_course(DEFAULT_COURSE_DIR), slug=slug,
                                           title=title, starts_on=starts_on,
                                           organizer=organizer)
        db.session.commit()
        return cohort

    return factory


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(client):
    def do(email: str, password: str = PASSWORD):
        response = login(client, email, password)
        assert response.status_code == 302, f"login failed for {email}"
        return client

    return do


@pytest.fixture
def token_for(db):
    from lms.auth.services import create_api_token, get_user_by_email

    def make(email: str) -> dict:
        token = create_api_token(get_user_by_email(email))
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def count_queries(db):
    """Context manager collecting the SQL statements run inside it. By default the cached
    parts of pages (lms.cache) are retired first, so what is counted is the work of a page
    built from the database (the bound that matters); warm=True counts with the cache as is."""

    @contextmanager
    def counter(warm: bool = False):
        statements: list[str] = []
        store = cache.store_for_app(current_app)
        if store is not None and not warm:
            store.bump([cache.EVERYTHING])

        def before(conn, cursor, statement, *args):
            # Transaction control (SQLite's explicit BEGIN / BEGIN IMMEDIATE) is not a query
            # of the page: whether one is sent depends on the transaction already open.
            if statement.strip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
                return
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counter


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        need_service("TEST_DATABASE_URL is not set")
    try:
        import psycopg
    except ImportError:
        need_service("psycopg is not installed")
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    name = f"lms_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(plain, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        need_service(f"PostgreSQL unavailable: {exc}")
    head, _, _ = plain.rpartition("/")
    yield f"postgresql+psycopg://{head.split('://', 1)[1]}/{name}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_config():
    """What a PostgreSQL test adds to the app's config (override in a module)."""
    return {}


@pytest.fixture
def pg_app(postgres_url, pg_config):
    """An app on this session's PostgreSQL database, tables created and dropped per test."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url, **pg_config})
    with app.app_context():
        _db.create_all()
        try:
            yield app
        finally:
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        need_service("TEST_REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        need_service(f"Redis unavailable: {exc}")
    return url


# --- Real servers in subprocesses (Socket.IO, browser tests) -------------------------------

class LiveServer:
    """A real `python wsgi.py` process on a free port, with its own database."""

    def __init__(self, env: dict[str, str], port: int, proc):
        self.env, self.port, self.proc = env, port, proc
        self.url = f"http://127.0.0.1:{port}"

    def cli(self, *args: str) -> str:
        """Run `flask --app wsgi ARGS` against this server's database; returns stdout."""
        import subprocess
        import sys

        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args],
                                env=self.env, cwd=ROOT_DIR, capture_output=True, text=True,
                                timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def token(self, *emails: str) -> list[str]:
        return self.cli("lms", "token", *emails).split()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ROOT_DIR = str(__import__("pathlib").Path(__file__).resolve().parent.parent)


def start_live_server(workdir, *, database_url: str | None = None, seed: bool = True,
                      extra_env: dict[str, str] | None = None) -> LiveServer:
    """Migrate (and seed the demo into) a database, then serve it; waits for /healthz."""
    import subprocess
    import sys
    import time
    import urllib.request

    workdir = __import__("pathlib").Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_REQUIRE",))}
    env.update({
        "LMS_ENV": "development",
        "LMS_INSTANCE_PATH": str(workdir),
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'live.sqlite3'}",
        "PORT": str(port),
        "LMS_DEMO_PASSWORD": PASSWORD,
        "SECRET_KEY": "live-server-test-key",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("REDIS_URL", None)
    env.update(extra_env or {})
    probe = LiveServer(env, port, None)
    if seed:
        probe.cli("db", "upgrade")
        probe.cli("lms", "demo")
    log = open(workdir / f"server-{port}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, "wsgi.py"], env=env, cwd=ROOT_DIR,
                            stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(env, port, proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {(workdir / f'server-{port}.log').read_text()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=1) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("server did not start within 30 s")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The demo cohort served by a real server process for this test module."""
    server = start_live_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


# --- Browser (Playwright driving Debian's Chromium) -----------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
ARTIFACTS = __import__("pathlib").Path(ROOT_DIR) / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright; skipped only when CI does not require it."""
    if not os.path.exists(CHROMIUM):
        if REQUIRE_BROWSER:
            pytest.fail(f"LMS_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if REQUIRE_BROWSER:
            pytest.fail("LMS_REQUIRE_BROWSER=1 but playwright is not installed")
        pytest.skip("playwright is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def axe_violations(page, base_url: str) -> list[dict]:
    """Run axe-core (served from our own static/vendor) and return serious/critical findings."""
    page.add_script_tag(url=base_url + "/static/vendor/axe-core/axe.min.js")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                     'best-practice']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def browser_login(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(base_url + "/")


@pytest.fixture
def new_page(browser, live_server):
    """new_page(email, width=1280, height=900): a logged-in page in its own browser context
    (Japanese locale), collecting uncaught script errors in `page.js_errors`."""
    contexts = []

    def make(email: str, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="ja-JP")
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        browser_login(page, live_server.url, email)
        return page

    yield make
    for context in contexts:
        context.close()
