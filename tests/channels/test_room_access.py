"""A socket does not outlive the access it was opened with: team changes re-check the team
rooms, logging out and a changed password close the socket. Against a real server process
(this module changes the demo's teams, so it has a server of its own)."""

from __future__ import annotations

import time
import uuid

import pytest
import socketio
from sqlalchemy import create_engine, inspect, text

from tests.channels.helpers import (
    SLUG,
    Peer,
    another_team,
    logged_in,
    move_municipality,
    placement,
    teammates,
)
from tests.conftest import browser_login, csrf_from


@pytest.fixture(scope="module")
def engine(live_server):
    engine = create_engine(live_server.env["DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def organizer(live_server):
    session = logged_in(live_server, "organizer@example.jp")
    yield session
    session.close()


@pytest.fixture
def peers():
    made: list[Peer] = []

    def make(url, **kwargs) -> Peer:
        peer = Peer(url, **kwargs).connect()
        made.append(peer)
        return peer

    yield make
    for peer in made:
        peer.close()


def _send(peer: Peer, channel_id: int, body: str) -> int:
    ack = peer.call("send", {"channel_id": channel_id, "body": body,
                             "client_msg_id": str(uuid.uuid4())})
    assert ack["ok"] is True, ack
    return ack["message"]["id"]


def test_a_participant_moved_to_another_team_stops_receiving_the_old_room(
        live_server, engine, organizer, peers):
    me = placement(engine, "p01@example.jp")
    assert me["code"] == "131121"  # 世田谷区 (p01 and p02)
    poster, newcomer = teammates(engine, "p01@example.jp")[:2]
    tokens = dict(zip(["p01@example.jp", poster, newcomer],
                      live_server.token("p01@example.jp", poster, newcomer), strict=True))

    # p01's client does not re-join by itself: the server must take it out of the room.
    mine = peers(live_server.url, token=tokens["p01@example.jp"])
    assert mine.call("join", {"channel_id": me["room"]}) == {"ok": True}
    mate = peers(live_server.url, token=tokens[poster], rejoin=True)
    assert mate.call("join", {"channel_id": me["room"]}) == {"ok": True}
    before = _send(mate, me["room"], "移動の前")
    assert mine.wait_for(lambda p: any(m["id"] == before for m in p.messages))

    move_municipality(live_server, organizer, me["code"], another_team(engine, me["team"]))

    assert mine.wait_for(lambda p: {"channel_id": me["room"]} in p.resets)
    # Those still in the team are let back in; someone connecting now joins as usual.
    assert mate.wait_for(lambda p: p.rejoins == [{"ok": True}])
    fresh = peers(live_server.url, token=tokens[newcomer])
    assert fresh.call("join", {"channel_id": me["room"]}) == {"ok": True}

    after = _send(mate, me["room"], "移動の後：元のチームだけに届くはず")
    assert fresh.wait_for(lambda p: any(m["id"] == after for m in p.messages))
    assert mate.wait_for(lambda p: any(m["id"] == after for m in p.messages))
    time.sleep(0.3)  # anything on its way to p01 would have arrived by now
    assert [m["id"] for m in mine.messages] == [before]
    ack = mine.call("join", {"channel_id": me["room"]})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    ack = mine.call("send", {"channel_id": me["room"], "body": "まだ見える？",
                             "client_msg_id": str(uuid.uuid4())})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    # ...and p01's new team room is open to the same socket.
    new_room = placement(engine, "p01@example.jp")["room"]
    assert new_room != me["room"]
    assert mine.call("join", {"channel_id": new_room}) == {"ok": True}


def test_logging_out_closes_the_sockets_that_login_opened(live_server, peers):
    email = "p05@example.jp"
    session = logged_in(live_server, email)
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    by_cookie = peers(live_server.url, cookie=cookie)
    [token] = live_server.token(email)
    by_token = peers(live_server.url, token=token)
    cohort = next(c["id"] for c in session.get(
        f"{live_server.url}/api/v1/cohorts/{SLUG}/channels", timeout=5).json()
        if c["kind"] == "cohort")
    assert by_cookie.call("join", {"channel_id": cohort}) == {"ok": True}

    logout_token = csrf_from(session.get(live_server.url + "/", timeout=5).text)
    response = session.post(live_server.url + "/logout", data={"csrf_token": logout_token},
                            timeout=5, allow_redirects=False)
    assert response.status_code == 302
    assert by_cookie.disconnected.wait(3), "the socket outlived the logout"
    # The API token is still valid (for HTTP too), so its socket stays.
    assert by_token.call("join", {"channel_id": cohort}) == {"ok": True}
    # The session's cookie after logout opens no new socket.
    with pytest.raises(socketio.exceptions.ConnectionError):
        Peer(live_server.url, cookie="; ".join(f"{c.name}={c.value}"
                                               for c in session.cookies)).connect()


def test_a_changed_password_ends_the_sockets_opened_before(live_server, engine, peers):
    if "session_version" not in {c["name"] for c in inspect(engine).get_columns("users")}:
        pytest.skip("users.session_version is not there yet")
    email = "p07@example.jp"
    [token] = live_server.token(email)
    peer = peers(live_server.url, token=token)
    with engine.begin() as conn:
        cohort = conn.execute(text("SELECT id FROM channels WHERE kind = 'cohort' "
                                   "ORDER BY id LIMIT 1")).scalar_one()
    assert peer.call("join", {"channel_id": cohort}) == {"ok": True}
    with engine.begin() as conn:  # what setting a password does
        conn.execute(text("UPDATE users SET session_version = session_version + 1 "
                          "WHERE email = :e"), {"e": email})
    ack = peer.call("join", {"channel_id": cohort})
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
    assert peer.disconnected.wait(3), "the socket outlived the password change"


@pytest.mark.browser
def test_the_page_says_so_when_its_team_changes(browser, live_server, engine, organizer,
                                                 peers):
    # p03 and p04 share a municipality; the teammate is from another one and stays.
    moved = placement(engine, "p03@example.jp")
    stayer = teammates(engine, "p03@example.jp")[0]
    pages, contexts = {}, []
    try:
        for email in ("p03@example.jp", stayer):
            context = browser.new_context(locale="ja-JP")
            contexts.append(context)
            page = context.new_page()
            page.errors = []
            page.on("pageerror", lambda e, page=page: page.errors.append(str(e)))
            browser_login(page, live_server.url, email)
            page.goto(f"{live_server.url}/c/{SLUG}/channels/{moved['room']}")
            page.locator("#conn-status", has_text="接続中").wait_for(timeout=5000)
            pages[email] = page

        move_municipality(live_server, organizer, moved["code"],
                          another_team(engine, moved["team"]))
        gone = pages["p03@example.jp"]
        gone.locator("#conn-status", has_text="チームが変更されたため").wait_for(timeout=5000)
        assert gone.get_by_label("メッセージ（Markdownが使えます）").is_disabled()

        # The teammate's page re-joined and goes on updating (the message comes live, or
        # with the catch-up after the re-join, which is spread over half a second).
        [token] = live_server.token(stayer)
        mid = _send(peers(live_server.url, token=token), moved["room"], "チーム替えの後も届く")
        pages[stayer].locator(f"#m-{mid}").wait_for(timeout=5000)
        assert "接続中" in pages[stayer].locator("#conn-status").inner_text()
        assert gone.locator(f"#m-{mid}").count() == 0
        assert gone.errors == [] and pages[stayer].errors == []
    finally:
        for context in contexts:
            context.close()


def test_the_periodic_recheck_ends_sockets_that_only_listen(db, make_user):
    """What a socket that sends nothing meets (every SOCKET_RECHECK_SECONDS, in-process)."""
    from lms.channels.events import ChannelNamespace, Connection

    same, new_password, deactivated = (make_user(), make_user(), make_user())
    namespace = ChannelNamespace("/")
    for sid, user in (("s-same", same), ("s-new-password", new_password),
                      ("s-deactivated", deactivated)):
        namespace._users[sid] = Connection(user.id, user.name, user.session_version, True)
    namespace._users["s-deleted"] = Connection(10_000, "消えた人", 0, False)
    new_password.session_version += 1
    deactivated.active = False
    db.session.commit()
    ended: list[str] = []
    namespace._end = ended.append
    namespace._recheck()
    assert sorted(ended) == ["s-deactivated", "s-deleted", "s-new-password"]
