"""Presence stores: in one process, shared through Redis, after a crash and during an outage."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from lms.presence import LocalPresence, RedisPresence, presence_store
from tests.conftest import free_port

SATO, SUZUKI, TANAKA = (1, "佐藤 健太"), (2, "鈴木 花子"), (3, "田中 一郎")


def names(store, channel_id=7):
    return [u["name"] for u in store.users(channel_id)]


def test_local_store_lists_each_person_once_and_forgets_closed_connections():
    store = presence_store(None, "unused")
    assert isinstance(store, LocalPresence)
    store.add(7, "sid-a", *SUZUKI)
    store.add(7, "sid-b", *SATO)
    store.add(7, "sid-c", *SATO)  # a second tab
    store.add(8, "sid-a", *SUZUKI)
    assert store.users(7) == [{"id": 1, "name": "佐藤 健太"}, {"id": 2, "name": "鈴木 花子"}]
    assert store.remove(7, "sid-b") is True and store.remove(7, "sid-b") is False
    assert names(store) == ["佐藤 健太", "鈴木 花子"]  # still there in the other tab
    assert sorted(store.remove_connection("sid-a")) == [7, 8]
    assert names(store) == ["佐藤 健太"] and store.users(8) == []
    assert store.heartbeat() == []


@pytest.fixture
def prefix():
    return f"lms-test-{uuid.uuid4().hex}"


@pytest.fixture
def stores(redis_url, prefix):
    """RedisPresence stores standing for separate processes, on the shared test Redis."""
    made = []

    def make(ttl=30, url=redis_url, key_prefix=None):
        store = RedisPresence(url, key_prefix or prefix, ttl=ttl)
        made.append(store)
        return store

    yield make
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_every_process_lists_the_people_connected_to_any_process(stores, redis_url, prefix):
    a, b = stores(), stores()
    a.add(7, "sid-a", *SATO)
    b.add(7, "sid-b", *SUZUKI)
    assert names(a) == names(b) == ["佐藤 健太", "鈴木 花子"]
    # Keys carry the Socket.IO channel setting: another deployment sees nobody.
    assert stores(key_prefix=f"{prefix}-other").users(7) == []
    stored = redis.Redis.from_url(redis_url, decode_responses=True).hgetall(
        f"{prefix}:presence:7")
    assert set(stored) == {"sid-a", "sid-b"} and b.process_id in stored["sid-b"]

    assert b.remove_connection("sid-b") == [7]
    assert names(a) == ["佐藤 健太"]


def test_a_crashed_processs_people_drop_out_when_its_heartbeat_expires(
        stores, redis_url, prefix):
    a, crashed = stores(ttl=1), stores(ttl=1)
    a.add(7, "sid-a", *SATO)
    crashed.add(7, "sid-b", *SUZUKI)
    assert names(a) == ["佐藤 健太", "鈴木 花子"]
    time.sleep(1.3)  # `crashed` sends no more heartbeats; `a` does
    assert a.heartbeat() == [7]  # its entry was deleted: the room is announced again
    assert names(a) == ["佐藤 健太"]
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    assert set(client.hgetall(f"{prefix}:presence:7")) == {"sid-a"}
    assert a.heartbeat() == []  # nothing changed since


def test_an_unreachable_redis_degrades_to_this_processs_connections(stores):
    store = stores(url=f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    store.add(7, "sid-a", *SATO)  # no exception: a join must still succeed
    store.add(7, "sid-b", *SUZUKI)
    assert names(store) == ["佐藤 健太", "鈴木 花子"]
    assert store.remove(7, "sid-b") is True and store.remove_connection("sid-a") == [7]
    assert store.users(7) == [] and store.heartbeat() == []
    assert time.monotonic() - started < 3


def test_after_a_redis_restart_the_heartbeat_writes_our_people_back(stores, private_redis):
    a, b = stores(url=private_redis.url), stores(url=private_redis.url)
    a.add(7, "sid-a", *SATO)
    b.add(7, "sid-b", *SUZUKI)
    private_redis.stop()
    a.add(7, "sid-c", *TANAKA)  # joins during the outage: listed locally
    assert a.remove_connection("sid-a") == [7]
    assert names(a) == ["田中 一郎"]
    assert a.heartbeat() == [] and b.heartbeat() == []
    private_redis.start()  # empty: it kept nothing
    assert a.heartbeat() == [7] and b.heartbeat() == [7]
    assert names(a) == names(b) == ["鈴木 花子", "田中 一郎"]
