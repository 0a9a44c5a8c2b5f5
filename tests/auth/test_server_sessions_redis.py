"""Server-side sessions in Redis (LMS_SESSION_BACKEND=redis): the same promises as in the
database, against the machine's Redis under a key prefix of this test's own."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import csrf_from, login

pytestmark = pytest.mark.redis


@pytest.fixture
def app_config(tmp_path, redis_url):
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
        "SESSION_BACKEND": "redis",
        "SESSION_REDIS_URL": redis_url,
        "SESSION_KEY_PREFIX": f"test-session-{uuid.uuid4().hex}:",
    }


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_sessions_in_redis_end_at_logout_and_from_the_account_page(app, redis_url,
                                                                   make_user):
    import redis

    store = redis.Redis.from_url(redis_url)
    prefix = app.config["SESSION_KEY_PREFIX"]
    make_user("red@example.jp")
    a, b = app.test_client(), app.test_client()
    assert login(a, "red@example.jp").status_code == 302
    assert login(b, "red@example.jp").status_code == 302
    copy_a, copy_b = a.get_cookie("session").value, b.get_cookie("session").value
    assert store.exists(prefix + copy_a) and store.exists(prefix + copy_b)
    assert store.ttl(prefix + copy_a) > 0  # Redis expires what nobody ends

    # Ending b's login from a's account page deletes b's stored session.
    page = a.get("/account").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r"/account/sessions/(\d+)/end", page)]
    assert len(ids) == 2
    b_id = max(ids)
    assert a.post(f"/account/sessions/{b_id}/end",
                  data={"csrf_token": csrf_from(page)}).status_code == 302
    assert not store.exists(prefix + copy_b)
    assert _sent_to_login(b.get("/account"))

    # Logout deletes a's, so a copy of a's cookie is dead too.
    assert a.post("/logout").status_code == 302
    assert not store.exists(prefix + copy_a)
    thief = app.test_client()
    thief.set_cookie("session", copy_a)
    assert _sent_to_login(thief.get("/account"))
