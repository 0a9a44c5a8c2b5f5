"""Fault test against a private Redis (issue 14): when the message queue stops, pages and
the REST API keep working and messages are stored; /healthz says so; it recovers."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid

import pytest
import requests

from tests.conftest import PASSWORD, csrf_from, free_port, need_service, start_live_server

SLUG = "tokyo-dx-2021"


def _start_redis(port: int, workdir) -> subprocess.Popen:
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            redis.Redis(port=port, socket_connect_timeout=0.5).ping()
            return proc
        except redis.RedisError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("private redis-server did not start")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.redis
def test_pages_and_api_work_while_redis_is_down_and_recover(tmp_path):
    if not shutil.which("redis-server"):
        need_service("redis-server is not installed")
    port = free_port()
    redis_proc = _start_redis(port, tmp_path)
    server = start_live_server(tmp_path / "app", extra_env={
        "REDIS_URL": f"redis://127.0.0.1:{port}/0", "SOCKETIO_CHANNEL": f"fault-{port}"})
    try:
        token = server.token("p01@example.jp")[0]
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        channels = api.get(f"{server.url}/api/v1/cohorts/{SLUG}/channels", timeout=10).json()
        channel = next(c["id"] for c in channels if c["kind"] == "cohort")

        def post(body):
            return api.post(f"{server.url}/api/v1/channels/{channel}/messages", timeout=30,
                            json={"body": body, "client_msg_id": str(uuid.uuid4())})

        assert post("Redis あり").status_code == 201
        _stop(redis_proc)
        assert requests.get(server.url + "/healthz", timeout=10).json()["redis"] == "down"
        down = post("Redis なしでも保存される")
        assert down.status_code == 201, down.text[:300]
        bodies = [m["body"] for m in api.get(
            f"{server.url}/api/v1/channels/{channel}/messages", timeout=10).json()]
        assert "Redis なしでも保存される" in bodies
        browser = requests.Session()
        csrf = csrf_from(browser.get(server.url + "/login", timeout=30).text)
        assert browser.post(server.url + "/login", timeout=30, allow_redirects=False, data={
            "email": "p02@example.jp", "password": PASSWORD, "csrf_token": csrf}
        ).status_code == 302
        page = browser.get(f"{server.url}/c/{SLUG}/channels/{channel}", timeout=30)
        assert page.status_code == 200 and "Redis なしでも保存される" in page.text

        redis_proc = _start_redis(port, tmp_path)
        deadline = time.monotonic() + 15
        while requests.get(server.url + "/healthz", timeout=10).json()["redis"] != "ok":
            assert time.monotonic() < deadline, "healthz never saw Redis again"
            time.sleep(0.5)
        assert post("Redis 復旧後").status_code == 201
    finally:
        server.stop()
        _stop(redis_proc)


@pytest.mark.redis
def test_sockets_are_told_when_live_delivery_stops_and_resumes(tmp_path):
    """Without a browser: a socket gets `realtime` {"ok": false} when the private Redis
    stops and {"ok": true} within seconds of its return (not after a minute's back-off);
    meanwhile a message posted on the same process still reaches it."""
    import queue

    import socketio

    if not shutil.which("redis-server"):
        need_service("redis-server is not installed")
    port = free_port()
    redis_proc = _start_redis(port, tmp_path)
    server = start_live_server(tmp_path / "app", extra_env={
        "REDIS_URL": f"redis://127.0.0.1:{port}/0", "SOCKETIO_CHANNEL": f"told-{port}"})
    events: queue.Queue = queue.Queue()
    sio = socketio.Client(reconnection=False)
    sio.on("realtime", lambda data: events.put(("realtime", data)))
    sio.on("message", lambda data: events.put(("message", data["body"])))
    try:
        token = server.token("p01@example.jp")[0]
        headers = {"Authorization": f"Bearer {token}"}
        channels = requests.get(f"{server.url}/api/v1/cohorts/{SLUG}/channels",
                                headers=headers, timeout=10).json()
        channel = next(c["id"] for c in channels if c["kind"] == "cohort")
        sio.connect(server.url, auth={"token": token}, transports=["websocket"],
                    wait_timeout=10)
        assert sio.call("join", {"channel_id": channel}, timeout=10) == {"ok": True}

        def next_event(kind, timeout=10.0):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    got = events.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if got[0] == kind:
                    return got[1]
            raise AssertionError(f"no {kind} event within {timeout} s")

        _stop(redis_proc)
        assert next_event("realtime") == {"ok": False}
        requests.post(f"{server.url}/api/v1/channels/{channel}/messages", headers=headers,
                      json={"body": "停止中でも同じプロセスには届く",
                            "client_msg_id": str(uuid.uuid4())}, timeout=30)
        assert next_event("message") == "停止中でも同じプロセスには届く"
        # A page opened while the queue is away is told at once, not at the next change.
        late: queue.Queue = queue.Queue()
        newcomer = socketio.Client(reconnection=False)
        newcomer.on("realtime", lambda data: late.put(data))
        newcomer.connect(server.url, auth={"token": token}, transports=["websocket"],
                         wait_timeout=10)
        assert late.get(timeout=5) == {"ok": False}
        newcomer.disconnect()
        redis_proc = _start_redis(port, tmp_path)
        assert next_event("realtime", timeout=8) == {"ok": True}
        assert sio.connected
    finally:
        if sio.connected:
            sio.disconnect()
        server.stop()
        _stop(redis_proc)
