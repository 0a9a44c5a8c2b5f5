"""Fixtures for the channel tests: the demo's channels, and a small JSON API helper."""

from __future__ import annotations

import subprocess
import time
import uuid

import pytest
from sqlalchemy import select

from lms.auth.services import get_user_by_email
from lms.channels.models import Channel
from lms.cohorts.access import membership_for, team_id_for
from tests.conftest import free_port, need_service


@pytest.fixture
def chans(db, demo):
    """Channels of the demo by name: 悩み, 事例, お知らせ, and team rooms team1..team5."""
    rows = db.session.scalars(select(Channel).where(Channel.cohort_id == demo.id)).all()
    out = {}
    for c in rows:
        if c.kind == "team":
            out[f"team{c.position}"] = c
        elif c.name == "DXの悩みごと":
            out["worries"] = c
        elif c.name == "DX導入事例":
            out["cases"] = c
        elif c.name == "お知らせ":
            out["news"] = c
    return out


@pytest.fixture
def team_room_of(db, demo, chans):
    """The team room of a participant (by email)."""

    def find(email: str) -> Channel:
        team_id = team_id_for(membership_for(get_user_by_email(email), demo))
        return next(c for c in chans.values() if c.kind == "team" and c.team_id == team_id)

    return find


@pytest.fixture
def other_team_member(db, demo, team_room_of):
    """A participant whose team is not p01's."""

    def find(email: str = "p01@example.jp") -> str:
        mine = team_room_of(email)
        for n in range(1, 51):
            candidate = f"p{n:02d}@example.jp"
            if team_room_of(candidate).id != mine.id:
                return candidate
        raise AssertionError("every participant in one team")

    return find


@pytest.fixture
def teammate(db, demo, team_room_of):
    def find(email: str = "p01@example.jp") -> str:
        mine = team_room_of(email)
        for n in range(1, 51):
            candidate = f"p{n:02d}@example.jp"
            if candidate != email and team_room_of(candidate).id == mine.id:
                return candidate
        raise AssertionError("no teammate")

    return find


@pytest.fixture
def post(client, token_for):
    """POST a message through the API as `email`; returns the response."""
    headers: dict[str, dict] = {}

    def send(email: str, channel_id: int, body="こんにちは", **extra):
        if email not in headers:
            headers[email] = token_for(email)
        payload = {"body": body, "client_msg_id": extra.pop("client_msg_id", str(uuid.uuid4()))}
        payload.update(extra)
        return client.post(f"/api/v1/channels/{channel_id}/messages", json=payload,
                           headers=headers[email])

    return send


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of our own on a free port, which the test may stop and restart."""
    port = free_port()
    cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
           "--appendonly", "no", "--dir", str(tmp_path)]

    class Private:
        url = f"redis://127.0.0.1:{port}/0"
        proc = None

        def start(self):
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
            import redis

            for _ in range(50):
                try:
                    redis.Redis.from_url(self.url).ping()
                    return
                except redis.RedisError:
                    time.sleep(0.1)
            raise RuntimeError("private redis-server did not start")

        def stop(self):
            self.proc.terminate()
            self.proc.wait(timeout=10)

    try:
        server = Private()
        server.start()
    except (OSError, RuntimeError) as exc:
        need_service(f"redis-server unavailable: {exc}")
    yield server
    if server.proc.poll() is None:
        server.stop()
