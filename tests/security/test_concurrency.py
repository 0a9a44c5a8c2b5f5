"""Simultaneous homework submissions on a real server (issue 14): on SQLite none sees
"database is locked", on PostgreSQL colleagues get consecutive versions, never a 409."""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest
import requests

from tests.conftest import start_live_server

SLUG = "tokyo-dx-2021"


def _homework(server, token: str, kind: str) -> int:
    listing = requests.get(f"{server.url}/api/v1/cohorts/{SLUG}/homework",
                           headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    return next(h["id"] for h in listing if h["kind"] == kind and not h["closed"])


def _submit_all_at_once(server, jobs: list[tuple[str, int]]) -> list[requests.Response]:
    """Each (token, homework id) submits at the same moment (a barrier), in its own thread."""
    barrier = threading.Barrier(len(jobs))
    answers: list[requests.Response | Exception] = [None] * len(jobs)  # type: ignore[list-item]

    def submit(i: int, token: str, homework_id: int) -> None:
        barrier.wait()
        try:
            answers[i] = requests.post(
                f"{server.url}/api/v1/homework/{homework_id}/submissions",
                headers={"Authorization": f"Bearer {token}"},
                data={"body": f"提出 {i}", "client_submission_id": str(uuid.uuid4())},
                files={"files": (f"報告{i}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
                timeout=120)
        except Exception as exc:  # noqa: BLE001 - reported below
            answers[i] = exc

    threads = [threading.Thread(target=submit, args=(i, t, h)) for i, (t, h) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers  # type: ignore[return-value]


def _statuses(answers) -> Counter:
    return Counter(a.status_code if isinstance(a, requests.Response) else repr(a)
                   for a in answers)


def test_fifty_simultaneous_submits_on_sqlite_all_succeed(tmp_path):
    server = start_live_server(tmp_path)
    try:
        emails = [f"p{n:02d}@example.jp" for n in range(1, 51)]
        tokens = server.token(*emails)
        homework_id = _homework(server, tokens[0], "individual")
        answers = _submit_all_at_once(server, [(t, homework_id) for t in tokens])
    finally:
        server.stop()
    log = next(tmp_path.glob("server-*.log")).read_text()
    assert _statuses(answers) == {201: 50}, (_statuses(answers), log[-2000:])
    assert "database is locked" not in log
    assert len({a.json()["id"] for a in answers}) == 50


def _team_tokens(server, token: str) -> list[str]:
    """Tokens of everyone in the first participant's team (ten people, five towns)."""
    me = requests.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"},
                      timeout=10).json()
    team_id = me["cohorts"][0]["team_id"]
    emails = [f"p{n:02d}@example.jp" for n in range(1, 51)]
    tokens = server.token(*emails)
    team = []
    for t in tokens:
        info = requests.get(f"{server.url}/api/v1/me",
                            headers={"Authorization": f"Bearer {t}"}, timeout=10).json()
        if info["cohorts"][0]["team_id"] == team_id:
            team.append(t)
    return team


def _colleagues_race(server) -> tuple[Counter, list[int]]:
    first = server.token("p01@example.jp")[0]
    team = _team_tokens(server, first)
    assert len(team) >= 6
    homework_id = _homework(server, first, "team")
    jobs = [(team[i % len(team)], homework_id) for i in range(30)]
    answers = _submit_all_at_once(server, jobs)
    versions = sorted(a.json()["version"] for a in answers
                      if isinstance(a, requests.Response) and a.status_code == 201)
    return _statuses(answers), versions


@pytest.mark.postgres
def test_thirty_colleagues_submitting_at_once_on_postgres_get_consecutive_versions(
        tmp_path, postgres_url):
    import psycopg

    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    own = f"{plain.rpartition('/')[2]}_submits"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{own}"')
    server = start_live_server(tmp_path, database_url=postgres_url.rpartition("/")[0] + "/" + own)
    try:
        statuses, versions = _colleagues_race(server)
    finally:
        server.stop()
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')
    assert statuses == {201: 30}, statuses
    # Consecutive after whatever the demo had already submitted.
    assert versions == list(range(versions[0], versions[0] + 30))


def test_thirty_colleagues_submitting_at_once_on_sqlite_get_consecutive_versions(tmp_path):
    server = start_live_server(tmp_path)
    try:
        statuses, versions = _colleagues_race(server)
    finally:
        server.stop()
    assert statuses == {201: 30}, statuses
    # Consecutive after whatever the demo had already submitted.
    assert versions == list(range(versions[0], versions[0] + 30))


def test_team_reacting_at_once_over_browser_sockets_on_sqlite_never_sees_a_lock(tmp_path):
    """Ten teammates with the page open (a socket opened with the login cookie) press a
    reaction at the same moment: every one is stored and answered. Flask-SocketIO loads the
    login's session before it marks the request as a socket event, and that read used to
    begin a plain (deferred) transaction, so whoever wrote second failed at once with
    "database is locked" (seen by a browser test under load)."""
    from tests.channels.helpers import Peer, logged_in, placement, teammates

    server = start_live_server(tmp_path)
    peers: list[Peer] = []
    try:
        from sqlalchemy import create_engine

        engine = create_engine(server.env["DATABASE_URL"])
        emails = ["p01@example.jp", *teammates(engine, "p01@example.jp")]
        room = placement(engine, "p01@example.jp")["room"]
        engine.dispose()
        for email in emails:
            session = logged_in(server, email)
            cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
            peers.append(Peer(server.url, cookie=cookie).connect())
        for peer in peers:
            assert peer.call("join", {"channel_id": room}) == {"ok": True}
        sent = peers[0].call("send", {"channel_id": room, "body": "資料を共有しました",
                                      "client_id": str(uuid.uuid4())})
        message_id = sent["message"]["id"]

        barrier = threading.Barrier(len(peers))
        answers: list = [None] * len(peers)

        def react(i: int, peer: Peer) -> None:
            barrier.wait()
            try:
                answers[i] = peer.call("react", {"message_id": message_id, "emoji": "👍",
                                                 "on": True})
            except Exception as exc:  # noqa: BLE001 - reported below
                answers[i] = exc

        threads = [threading.Thread(target=react, args=(i, p)) for i, p in enumerate(peers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for peer in peers:
            peer.close()
        server.stop()
    log = next(tmp_path.glob("server-*.log")).read_text()
    assert all(isinstance(a, dict) and a.get("ok") for a in answers), (answers, log[-2000:])
    assert "database is locked" not in log
    # Stored one after another: each answer counts the reactions committed so far.
    counts = sorted(next(r["count"] for r in a["message"]["reactions"] if r["emoji"] == "👍")
                    for a in answers)
    assert len(peers) >= 5 and counts == list(range(1, len(peers) + 1)), counts


def test_team_opening_the_room_at_once_on_sqlite_never_sees_a_lock(tmp_path):
    """Ten teammates open the team room at the same moment after new messages, so every page
    view marks the room read (a GET that writes). Its read transaction used to take the write
    lock only at the write: whoever wrote second failed at once with "database is locked"
    (503; seen by a browser test in the suite)."""
    from sqlalchemy import create_engine

    from tests.channels.helpers import logged_in, placement, teammates

    server = start_live_server(tmp_path)
    try:
        engine = create_engine(server.env["DATABASE_URL"])
        emails = ["p01@example.jp", *teammates(engine, "p01@example.jp")]
        room = placement(engine, "p01@example.jp")["room"]
        engine.dispose()
        sessions = [logged_in(server, email) for email in emails]
        url = f"{server.url}/c/{SLUG}/channels/{room}"
        statuses: list = []
        for round_ in range(3):
            [token] = server.token("p01@example.jp")
            assert requests.post(f"{server.url}/api/v1/channels/{room}/messages",
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"body": f"新しい連絡 {round_}",
                                       "client_msg_id": str(uuid.uuid4())},
                                 timeout=30).status_code == 201
            barrier = threading.Barrier(len(sessions))
            answers: list = [None] * len(sessions)

            def open_room(i: int, session, barrier=barrier, answers=answers) -> None:
                barrier.wait()
                try:
                    answers[i] = session.get(url, timeout=60).status_code
                except Exception as exc:  # noqa: BLE001 - reported below
                    answers[i] = repr(exc)

            threads = [threading.Thread(target=open_room, args=(i, s))
                       for i, s in enumerate(sessions)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            statuses.extend(answers)
    finally:
        server.stop()
    log = next(tmp_path.glob("server-*.log")).read_text()
    assert statuses == [200] * len(statuses), (Counter(map(str, statuses)), log[-2000:])
    assert "database is locked" not in log
