"""Server-side sessions (issue 14): a login can be ended one by one, from the account page,
and a copied cookie dies with it; ending a login closes its sockets."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from lms.auth.models import LoginSession, ServerSession
from lms.extensions import socketio
from tests.auth.visits import assert_a_visit_is_noted
from tests.conftest import PASSWORD, csrf_from, login, start_live_server


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str, path: str = "/account"):
    """Another browser that got hold of the cookie's value."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get(path)


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _login_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r"/account/sessions/(\d+)/end", html)]


def test_a_copied_cookie_is_dead_after_logout(app, client, db, make_user):
    make_user("copy@example.jp")
    assert login(client, "copy@example.jp").status_code == 302
    copied = _cookie(client)
    assert _replay(app, copied).status_code == 200  # the copy works while logged in
    assert client.post("/logout").status_code == 302
    assert _sent_to_login(_replay(app, copied))
    assert _sent_to_login(client.get("/account"))
    # Nothing of the login is left on the server.
    assert db.session.query(LoginSession).count() == 0
    assert db.session.query(ServerSession).filter_by(session_id="session:" + copied).count() == 0


def test_the_session_id_changes_at_login(app, client, make_user):
    """A session id planted before the login (fixation) is worth nothing after it."""
    make_user("fix@example.jp")
    client.get("/login")
    before = _cookie(client)
    assert login(client, "fix@example.jp").status_code == 302
    assert _cookie(client) != before
    assert _sent_to_login(_replay(app, before))


def test_the_account_page_lists_logins_and_ends_one(app, db, make_user):
    make_user("two@example.jp")
    make_user("other@example.jp")
    office, home, other = app.test_client(), app.test_client(), app.test_client()
    office.environ_base["HTTP_USER_AGENT"] = "OfficePC Edge/120"
    home.environ_base["HTTP_USER_AGENT"] = "HomePhone Safari/17"
    for c, email in ((office, "two@example.jp"), (home, "two@example.jp"),
                     (other, "other@example.jp")):
        assert login(c, email).status_code == 302
    page = office.get("/account").get_data(as_text=True)
    assert "OfficePC Edge/120" in page and "HomePhone Safari/17" in page
    assert page.count("この端末") >= 1 and "この端末からログアウトする" in page
    ids = _login_ids(page)
    assert len(ids) == 2  # only this person's logins
    mine = db.session.query(LoginSession).filter_by(user_agent="OfficePC Edge/120").one().id
    theirs = next(i for i in ids if i != mine)

    # Someone else's login: not found, and it stays.
    foreign = db.session.query(LoginSession).filter(
        LoginSession.user_id != db.session.get(LoginSession, mine).user_id).one().id
    csrf = csrf_from(page)
    assert office.post(f"/account/sessions/{foreign}/end",
                       data={"csrf_token": csrf}).status_code == 404
    assert other.get("/account").status_code == 200

    done = office.post(f"/account/sessions/{theirs}/end", data={"csrf_token": csrf})
    assert done.status_code == 302 and done.headers["Location"].endswith("/account")
    assert _sent_to_login(home.get("/account"))
    after = office.get("/account").get_data(as_text=True)
    assert "選んだ端末のログインを終了しました。" in after
    assert _login_ids(after) == [mine] and "HomePhone" not in after

    # Ending this device's own login logs it out.
    out = office.post(f"/account/sessions/{mine}/end", data={"csrf_token": csrf_from(after)})
    assert _sent_to_login(out)
    assert _sent_to_login(office.get("/account"))


def test_log_out_everywhere_kills_copied_cookies_and_deletes_the_sessions(app, db, make_user):
    make_user("all@example.jp")
    a, b = app.test_client(), app.test_client()
    assert login(a, "all@example.jp").status_code == 302
    assert login(b, "all@example.jp").status_code == 302
    copies = [_cookie(a), _cookie(b)]
    csrf = csrf_from(a.get("/account").get_data(as_text=True))
    assert a.post("/account/logout-everywhere", data={"csrf_token": csrf}).status_code == 302
    for copied in copies:
        assert _sent_to_login(_replay(app, copied))
    assert db.session.query(LoginSession).count() == 0


def test_a_new_password_ends_the_other_logins(app, db, make_user):
    from lms.auth.services import create_invite

    user = make_user("reset@example.jp")
    old = app.test_client()
    assert login(old, "reset@example.jp").status_code == 302
    token = create_invite(user, days=1)
    db.session.commit()
    new = app.test_client()
    form = new.get(f"/invite/{token}").get_data(as_text=True)
    done = new.post(f"/invite/{token}", data={"csrf_token": csrf_from(form),
                                              "password": "a-new-password-1",
                                              "confirm": "a-new-password-1"})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert _sent_to_login(old.get("/account"))
    page = new.get("/account").get_data(as_text=True)
    assert len(_login_ids(page)) == 1  # only the browser that set the password


def test_ending_a_login_closes_its_sockets_and_keeps_the_others(app, db, make_user):
    make_user("sock@example.jp")
    laptop, phone = app.test_client(), app.test_client()
    assert login(laptop, "sock@example.jp").status_code == 302
    assert login(phone, "sock@example.jp").status_code == 302
    on_laptop = socketio.test_client(app, flask_test_client=laptop)
    on_phone = socketio.test_client(app, flask_test_client=phone)
    retro_on_phone = socketio.test_client(app, namespace="/retros", flask_test_client=phone)
    assert on_laptop.is_connected() and on_phone.is_connected()
    assert retro_on_phone.is_connected("/retros")
    phone_login = db.session.query(LoginSession).order_by(LoginSession.id.desc()).first().id
    csrf = csrf_from(laptop.get("/account").get_data(as_text=True))
    assert laptop.post(f"/account/sessions/{phone_login}/end",
                       data={"csrf_token": csrf}).status_code == 302
    deadline = time.monotonic() + 5
    while (on_phone.is_connected() or retro_on_phone.is_connected("/retros")) \
            and time.monotonic() < deadline:
        socketio.sleep(0.05)
    assert not on_phone.is_connected()
    assert not retro_on_phone.is_connected("/retros")
    assert on_laptop.is_connected()  # the laptop's login goes on
    # And the phone cannot come back with its old cookie. (The test's app context outlives
    # requests: forget the user Flask-Login cached from the laptop's last request.)
    from flask import g

    g.pop("_login_user", None)
    again = socketio.test_client(app, flask_test_client=phone)
    assert not again.is_connected()
    on_laptop.disconnect()


def test_a_database_session_store_that_cannot_be_read_answers_503_not_the_login_page(
        app, client, make_user, monkeypatch):
    """Opening the session never turns into a bare 500, nor into a silent logout: a logged-in
    person whose session cannot be read gets the 503 page (as in tests/security/
    test_database_down.py), not the login page."""
    from sqlalchemy.exc import OperationalError

    from lms.auth import logins

    make_user("down@example.jp")
    assert login(client, "down@example.jp").status_code == 302

    def broken(*_a, **_k):
        raise OperationalError("SELECT", {}, Exception("down"))

    monkeypatch.setattr(logins.db.session, "scalar", broken)
    response = client.get("/")
    assert response.status_code == 503
    assert "データベースに接続できません" in response.get_data(as_text=True)


@pytest.mark.redis
def test_logout_on_one_process_closes_the_sockets_on_the_other(tmp_path, redis_url):
    """Two server processes sharing one database and one Redis message queue: a socket
    opened on B with the login cookie is closed when that login logs out on A, and the
    copied cookie no longer opens pages on B."""
    import requests

    from tests.channels.helpers import Peer

    channel = f"lms-sessions-{uuid.uuid4().hex}"
    db_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    env = {"REDIS_URL": redis_url, "SOCKETIO_CHANNEL": channel}
    a = start_live_server(tmp_path / "a", database_url=db_url, extra_env=env)
    b = None
    try:
        b = start_live_server(tmp_path / "b", database_url=db_url, seed=False, extra_env=env)
        browser = requests.Session()
        csrf = csrf_from(browser.get(a.url + "/login", timeout=30).text)
        assert browser.post(a.url + "/login", allow_redirects=False, timeout=30, data={
            "email": "p01@example.jp", "password": PASSWORD, "csrf_token": csrf}
        ).status_code == 302
        cookie = f"session={browser.cookies['session']}"
        on_b = Peer(b.url, cookie=cookie).connect()
        assert on_b.sio.connected
        assert requests.get(b.url + "/account", headers={"Cookie": cookie}, timeout=30,
                            allow_redirects=False).status_code == 200
        page = browser.get(a.url + "/account", timeout=30).text
        assert browser.post(a.url + "/logout", data={"csrf_token": csrf_from(page)},
                            allow_redirects=False, timeout=30).status_code == 302
        assert on_b.disconnected.wait(10), "the socket on B outlived the logout on A"
        replay = requests.get(b.url + "/account", headers={"Cookie": cookie}, timeout=30,
                              allow_redirects=False)
        assert replay.status_code == 302 and "/login" in replay.headers["Location"]
    finally:
        for server in (a, b):
            if server is not None:
                server.stop()


def test_last_seen_moves_with_visits_and_old_logins_are_swept(app, client, db, make_user):
    from datetime import timedelta

    from lms.db import utcnow
    from lms.periodic import run_periodic_jobs

    make_user("seen@example.jp")
    assert_a_visit_is_noted(client, db, "seen@example.jp")

    # Unused for longer than a session lives: swept by the worker, and logged out.
    row = db.session.query(LoginSession).one()
    row.last_seen_at = utcnow() - app.permanent_session_lifetime - timedelta(minutes=1)
    for stored in db.session.query(ServerSession):
        stored.expiry = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert run_periodic_jobs().expired_logins == 1
    db.session.commit()
    assert db.session.query(LoginSession).count() == 0
    assert db.session.query(ServerSession).count() == 0
    assert _sent_to_login(client.get("/account"))


def test_the_periodic_recheck_ends_sockets_of_a_login_ended_elsewhere(app, db, make_user):
    """If the close through the message queue never arrived (Redis away at that moment),
    each process's periodic re-check still ends the socket of a login that is gone."""
    from lms.channels.events import ChannelNamespace, Connection

    user = make_user("recheck@example.jp")
    kept, ended_client = app.test_client(), app.test_client()
    assert login(kept, "recheck@example.jp").status_code == 302
    assert login(ended_client, "recheck@example.jp").status_code == 302
    live, gone = (r.id for r in db.session.query(LoginSession).order_by(LoginSession.id))
    namespace = ChannelNamespace("/")
    namespace._users["s-live"] = Connection(user.id, user.name, user.session_version, True,
                                            live)
    namespace._users["s-gone"] = Connection(user.id, user.name, user.session_version, True,
                                            gone)
    namespace._users["s-token"] = Connection(user.id, user.name, user.session_version, False)
    db.session.query(LoginSession).filter_by(id=gone).delete()
    db.session.commit()
    ended: list[str] = []
    namespace._end = ended.append
    namespace._recheck()
    assert ended == ["s-gone"]
