"""Fixtures for the retro tests: the demo's boards, people by team, API helpers."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from lms.auth.services import get_user_by_email
from lms.cohorts.access import membership_for, team_id_for
from lms.extensions import socketio
from lms.retros.models import RetroBoard
from lms.sessions.models import WorkshopSession

SLUG = "tokyo-dx-2021"


@pytest.fixture
def team_of(db, demo):
    def find(email: str) -> int:
        return team_id_for(membership_for(get_user_by_email(email), demo))
    return find


@pytest.fixture
def people(demo, team_of):
    """p01, a teammate from another municipality, an outsider (another team), staff."""
    mine = team_of("p01@example.jp")
    mate = next(f"p{n:02d}@example.jp" for n in range(3, 51)
                if team_of(f"p{n:02d}@example.jp") == mine)
    outsider = next(f"p{n:02d}@example.jp" for n in range(2, 51)
                    if team_of(f"p{n:02d}@example.jp") != mine)
    return {"me": "p01@example.jp", "mate": mate, "outsider": outsider,
            "trainer": "trainer1@example.jp", "organizer": "organizer@example.jp",
            "team_id": mine}


@pytest.fixture
def board_of(db, demo):
    def find(team_id: int, number: int) -> RetroBoard:
        return db.session.scalar(select(RetroBoard).join(
            WorkshopSession, RetroBoard.session_id == WorkshopSession.id).where(
            RetroBoard.team_id == team_id, WorkshopSession.number == number))
    return find


@pytest.fixture
def api(client, token_for):
    """Call the JSON API as a person: api(email, "post", path, json=...)."""
    headers: dict[str, dict] = {}

    def call(email: str, method: str, path: str, **kwargs):
        if email not in headers:
            headers[email] = token_for(email)
        return getattr(client, method)("/api/v1" + path, headers=headers[email], **kwargs)

    return call


@pytest.fixture
def card(api):
    def add(email: str, board_id: int, body: str = "続けたいこと", column: str = "keep",
            **extra):
        payload = {"column": column, "body": body, "client_card_id": str(uuid.uuid4()),
                   **extra}
        return api(email, "post", f"/retros/{board_id}/cards", json=payload)
    return add


@pytest.fixture
def sock(app, token_for):
    """A Flask-SocketIO test client on /retros for a person (by API token)."""
    clients = []

    def connect(email: str):
        token = token_for(email)["Authorization"].split()[1]
        c = socketio.test_client(app, namespace="/retros", auth={"token": token})
        assert c.is_connected("/retros")
        clients.append(c)
        return c

    yield connect
    for c in clients:
        if c.is_connected("/retros"):
            c.disconnect("/retros")

