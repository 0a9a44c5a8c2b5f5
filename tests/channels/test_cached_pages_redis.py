"""Kept parts through Redis, as production runs them: a warm page asks Redis only for the
versions it needs, in one round trip (every table, the stored session's row, and the login's
rows, learnt from the session's earlier requests; each process keeps its own copy of the
parts it fetched), and still shows
a teammate's new message, reaction and the reader's own post at once."""

from __future__ import annotations

import uuid

import pytest

from lms import cache
from tests.conftest import PASSWORD

SLUG = "tokyo-dx-2021"


@pytest.fixture
def app_config(app_config, redis_url):
    return {**app_config, "CACHE_BACKEND": "redis", "CACHE_REDIS_URL": redis_url,
            "CACHE_PREFIX": f"test-{uuid.uuid4().hex}"}


@pytest.fixture
def redis_calls(app):
    """Commands sent to the cache's Redis (pipelines of version bumps aside)."""
    store = cache.store_for_app(app)
    assert isinstance(store, cache.RedisStore)
    calls: list[str] = []
    original = store._redis.execute_command

    def counting(*args, **kwargs):
        calls.append(str(args[0]))
        return original(*args, **kwargs)

    store._redis.execute_command = counting
    yield calls
    store._redis.execute_command = original


def _client_for(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_a_warm_page_asks_redis_for_versions_only(app, chans, team_room_of, redis_calls,
                                                  count_queries):
    me = _client_for(app, "p01@example.jp")
    trainer = _client_for(app, "trainer1@example.jp")
    room = team_room_of("p01@example.jp")
    pages = [(me, "/"), (me, f"/c/{SLUG}/channels/{room.id}"), (trainer, "/"),
             (trainer, f"/c/{SLUG}/homework/matrix")]
    for client, url in pages:
        assert client.get(url).status_code == 200
    for client, url in pages:
        redis_calls.clear()
        with count_queries(warm=True) as statements:
            assert client.get(url).status_code == 200
        assert redis_calls == ["MGET"], (url, redis_calls)
        assert len(statements) <= 1, (url, statements)


def test_changes_show_at_once_through_redis(app, chans, team_room_of, teammate, post,
                                            token_for):
    room = team_room_of("p01@example.jp")
    url = f"/c/{SLUG}/channels/{room.id}"
    me = _client_for(app, "p01@example.jp")
    me.get(url)
    me.get(url)  # kept, in Redis and in this process
    sent = post(teammate(), room.id, "レディス経由の投稿").get_json()
    assert "レディス経由の投稿" in me.get(url).get_data(as_text=True)
    assert me.post(f"/api/v1/messages/{sent['id']}/reactions", json={"emoji": "👍"},
                   headers=token_for("p01@example.jp")).status_code in (200, 201)
    assert "👍 リアクション 1件（押しています" in me.get(url).get_data(as_text=True)
    # The reader's own post, sent as a form: the page after it shows it.
    answer = me.post(url, data={"body": "自分の投稿", "client_msg_id": str(uuid.uuid4())},
                     follow_redirects=True)
    assert answer.status_code == 200 and "自分の投稿" in answer.get_data(as_text=True)
