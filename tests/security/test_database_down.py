"""A database that does not answer gives a clean 503 page / JSON with Retry-After, never a
500, and the app recovers by itself once it is back (issue 14): against a port where nothing
listens, and against a private PostgreSQL (initdb + pg_ctl on its own port and directory)
that the test stops, starts and restarts under a running app."""

from __future__ import annotations

import uuid

import pytest

from lms.app import create_app
from lms.extensions import db
from tests.conftest import PASSWORD, free_port, isolate_requests
from tests.security.private_services import PrivatePostgres


def test_requests_get_a_clean_503_while_the_database_is_unreachable(tmp_path):
    port = free_port()  # nothing listens there
    app = isolate_requests(create_app({
        "TESTING": True, "WTF_CSRF_ENABLED": False, "UPLOAD_FOLDER": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://lms@127.0.0.1:{port}/lms",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                      "connect_args": {"connect_timeout": 2}}}))
    client = app.test_client()
    api = client.get("/api/v1/me", headers={"Authorization": "Bearer lms_whatever"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json()["error"]["code"] == "unavailable"
    assert "データベース" in api.get_json()["error"]["message"]
    page = client.post("/login", data={"email": "p01@example.jp", "password": "x" * 12})
    assert page.status_code == 503
    assert "データベースに接続できません" in page.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503


@pytest.fixture(scope="module")
def private_postgres():
    """A throwaway PostgreSQL cluster for this module; fails under LMS_REQUIRE_SERVICES=1
    when it cannot start, skips otherwise."""
    server = PrivatePostgres()
    yield server
    server.destroy()


def _assert_unavailable(client, headers):
    api = client.get("/api/v1/me", headers=headers)
    assert api.status_code == 503, api.get_data(as_text=True)[:300]
    assert api.headers["Retry-After"] == "5"
    error = api.get_json()["error"]
    assert error["code"] == "unavailable" and "データベース" in error["message"]
    page = client.get("/")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "データベースに接続できません" in html and "Traceback" not in html
    assert page.headers["Content-Type"].startswith("text/html")
    posted = client.post("/login",
                         data={"email": "p02@example.jp", "password": PASSWORD})
    assert posted.status_code == 503
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "error"


def _assert_working(client, headers):
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200, me.get_data(as_text=True)[:300]
    assert me.get_json()["email"] == "p01@example.jp"
    page = client.get("/")
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    assert client.get("/healthz").status_code == 200


@pytest.mark.postgres
def test_postgres_stopped_and_restarted_under_a_running_app(private_postgres, tmp_path):
    app = isolate_requests(create_app({
        "TESTING": True, "WTF_CSRF_ENABLED": False, "UPLOAD_FOLDER": str(tmp_path),
        "LOGIN_RATE_LIMIT": "1000 per minute", "SERVER_NAME": None,
        "SQLALCHEMY_DATABASE_URI": private_postgres.url,
        # The production default (pool_pre_ping), plus a short connect timeout for the test.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                      "connect_args": {"connect_timeout": 3}}}))
    with app.app_context():
        db.create_all()
        from lms.auth.services import create_api_token, get_user_by_email
        from lms.demo import build_demo

        build_demo(PASSWORD)
        token = create_api_token(get_user_by_email("p01@example.jp"))
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    assert client.post("/login", data={"email": "p01@example.jp", "password": PASSWORD}
                       ).status_code == 302
    _assert_working(client, headers)  # the pool now holds connections to the old server

    # A restart between two requests: the pooled connections are dead, and pre-ping
    # replaces them, so the next request does not even notice.
    private_postgres.restart()
    _assert_working(client, headers)

    # Down (a crash: immediate stop): clean 503s, page and JSON, never a 500.
    private_postgres.stop("immediate")
    _assert_unavailable(client, headers)
    _assert_unavailable(client, headers)  # and again: nothing is left broken by the first

    # Back: the same app recovers without a restart, and the login session still holds.
    private_postgres.start()
    _assert_working(client, headers)
    listing = client.get("/api/v1/cohorts/tokyo-dx-2021/channels", headers=headers).get_json()
    channel = next(c["id"] for c in listing if c["kind"] == "cohort")
    posted = client.post(f"/api/v1/channels/{channel}/messages", headers=headers,
                         json={"body": "復旧後の投稿", "client_msg_id": str(uuid.uuid4())})
    assert posted.status_code == 201, posted.get_data(as_text=True)[:300]
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
