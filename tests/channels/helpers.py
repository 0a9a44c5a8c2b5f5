"""Helpers for tests against a real server: a Socket.IO client, logging in over HTTP, moving
a municipality on the organizer's page, and reading where people are from the server's
database."""

from __future__ import annotations

import threading

import requests
import socketio
from sqlalchemy import text

from tests.conftest import PASSWORD, csrf_from

SLUG = "tokyo-dx-2021"


def logged_in(server, email: str) -> requests.Session:
    """An HTTP session logged in as `email` through the login form (with its CSRF token)."""
    session = requests.Session()
    token = csrf_from(session.get(server.url + "/login", timeout=5).text)
    response = session.post(server.url + "/login", timeout=5, allow_redirects=False,
                            data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"login failed for {email}"
    return session


def move_municipality(server, organizer: requests.Session, code: str, team_id: int) -> None:
    """Move a municipality to a team through the organizer's page (POST …/teams/move)."""
    token = csrf_from(organizer.get(f"{server.url}/c/{SLUG}/teams", timeout=5).text)
    response = organizer.post(f"{server.url}/c/{SLUG}/teams/move", timeout=5,
                              allow_redirects=False,
                              data={"municipality": code, "team": str(team_id),
                                    "csrf_token": token})
    assert response.status_code == 302


def placement(engine, email: str) -> dict:
    """A demo participant's municipality code, team id and team room id."""
    with engine.connect() as conn:
        code, team_id = conn.execute(text(
            "SELECT m.municipality_code, cm.team_id FROM memberships m "
            "JOIN users u ON u.id = m.user_id JOIN cohorts c ON c.id = m.cohort_id "
            "JOIN cohort_municipalities cm ON cm.cohort_id = m.cohort_id "
            " AND cm.municipality_code = m.municipality_code "
            "WHERE u.email = :email AND c.slug = :slug"), {"email": email, "slug": SLUG}).one()
        room = conn.execute(text("SELECT id FROM channels WHERE kind = 'team' "
                                 "AND team_id = :t"), {"t": team_id}).scalar_one()
    return {"code": code, "team": team_id, "room": room}


def another_team(engine, team_id: int) -> int:
    """The first team of the demo cohort other than `team_id`."""
    with engine.connect() as conn:
        return next(t for t in conn.execute(text(
            "SELECT t.id FROM teams t JOIN cohorts c ON c.id = t.cohort_id "
            "WHERE c.slug = :slug ORDER BY t.number"), {"slug": SLUG}).scalars()
            if t != team_id)


def teammates(engine, email: str) -> list[str]:
    """Demo participants in `email`'s team but from another municipality."""
    me = placement(engine, email)
    others = (placement(engine, f"p{n:02d}@example.jp") for n in range(1, 51))
    return [f"p{n:02d}@example.jp" for n, p in enumerate(others, start=1)
            if p["team"] == me["team"] and p["code"] != me["code"]]


class Peer:
    """The one test Socket.IO client (by token or session cookie), recording what it
    receives: messages, updates, presence, room resets. With `rejoin`, it joins again when
    told the room was reset, as channel.js does."""

    def __init__(self, url: str, token: str | None = None, *, cookie: str | None = None,
                 rejoin: bool = False):
        self.url, self.token, self.cookie = url, token, cookie
        self.messages: list[dict] = []
        self.updated: list[dict] = []
        self.presence: list[dict] = []
        self.resets: list[dict] = []
        self.rejoins: list[dict] = []
        self.disconnected = threading.Event()
        self.got = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("message", self._record(self.messages))
        self.sio.on("message_updated", self._record(self.updated))
        self.sio.on("presence", self._record(self.presence))
        self.sio.on("room_reset", self._on_reset if rejoin else self._record(self.resets))
        self.sio.on("disconnect", lambda *_: self.disconnected.set())

    def _record(self, into: list):
        def handler(data):
            with self.got:
                into.append(data)
                self.got.notify_all()
        return handler

    def _on_reset(self, data):
        self._record(self.resets)(data)
        self.sio.emit("join", {"channel_id": data["channel_id"]},
                      callback=self._record(self.rejoins))

    def connect(self) -> Peer:
        self.sio.connect(self.url, auth={"token": self.token} if self.token else None,
                         headers={"Cookie": self.cookie} if self.cookie else {},
                         transports=["websocket"], wait_timeout=5)
        return self

    def call(self, event: str, data: dict):
        return self.sio.call(event, data, timeout=5)

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        with self.got:
            return self.got.wait_for(lambda: predicate(self), timeout)

    def close(self):
        if self.sio.connected:  # websocket-client waits for the close frame; no need here
            threading.Thread(target=self.sio.disconnect, daemon=True).start()
