"""Login, logout, next= safety, invitations, throttling, cookie flags."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.auth.services import create_invite, get_user_by_email
from lms.config import ConfigError, load_config
from lms.db import utcnow
from tests.conftest import PASSWORD, login


def test_login_success_redirects_to_dashboard(client, demo):
    response = login(client, "p01@example.jp")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "東京都区市町村向け自治体変革PJ-DX研修2021" in page


def test_wrong_password_is_refused_in_japanese(client, demo):
    response = login(client, "p01@example.jp", "wrong-password")
    assert response.status_code == 400
    assert "メールアドレスまたはパスワードが正しくありません" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still logged out


def test_email_is_case_insensitive(client, demo):
    assert login(client, "P01@Example.JP").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_next_never_leaves_the_site(client, demo, target):
    response = client.post("/login", data={"email": "p01@example.jp", "password": PASSWORD,
                                           "next": target})
    assert response.headers["Location"] == "/"


def test_next_to_a_page_on_this_site_is_followed(client, demo):
    response = client.post("/login", data={"email": "p01@example.jp", "password": PASSWORD,
                                           "next": "/c/tokyo-dx-2021/"})
    assert response.headers["Location"] == "/c/tokyo-dx-2021/"


def test_anonymous_is_sent_to_login_with_next(client, demo):
    response = client.get("/c/tokyo-dx-2021/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_needs_post_and_ends_the_session(client, demo):
    login(client, "p01@example.jp")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_invitation_sets_password_once(client, db, demo):
    user = get_user_by_email("p02@example.jp")
    token = create_invite(user)
    db.session.commit()
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200
    assert user.name in page.get_data(as_text=True)
    short = client.post(f"/invite/{token}", data={"password": "short", "confirm": "short"})
    assert "10文字以上" in short.get_data(as_text=True)
    done = client.post(f"/invite/{token}", data={"password": "new-password-123",
                                                 "confirm": "new-password-123"})
    assert done.status_code == 302
    client.post("/logout")
    assert login(client, "p02@example.jp", "new-password-123").status_code == 302
    client.post("/logout")
    again = client.get(f"/invite/{token}")
    assert again.status_code == 404
    assert "無効か、期限が切れています" in again.get_data(as_text=True)


def test_expired_invitation_is_refused(client, db, demo):
    user = get_user_by_email("p03@example.jp")
    token = create_invite(user, now=utcnow() - timedelta(days=15))
    db.session.commit()
    assert client.get(f"/invite/{token}").status_code == 404


def test_accounts_without_password_cannot_log_in(client, make_user):
    make_user("nopass@example.jp", password=False)
    assert login(client, "nopass@example.jp", "").status_code == 400
    assert login(client, "nopass@example.jp", "anything-at-all").status_code == 400


def test_login_is_throttled(app, client, demo):
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    statuses = [login(client, "p01@example.jp", "bad-password").status_code
                for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    # The right password does not get through either until the window passes.
    assert login(client, "p01@example.jp").status_code == 429


def test_csrf_is_required_on_forms(app_config, demo_free_app_factory):
    app = demo_free_app_factory({**app_config, "WTF_CSRF_ENABLED": True})
    response = app.test_client().post("/login", data={"email": "x@example.jp",
                                                      "password": "y"})
    assert response.status_code == 400


@pytest.fixture
def demo_free_app_factory():
    from lms.app import create_app
    from lms.extensions import db

    made = []

    def factory(config):
        app = create_app(config)
        ctx = app.app_context()
        ctx.push()
        db.create_all()
        made.append(ctx)
        return app

    yield factory
    for ctx in made:
        ctx.pop()


def test_session_cookie_flags(client, demo):
    response = login(client, "p01@example.jp")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_requires_secret_key(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        load_config()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True


def test_pages_carry_a_strict_csp(client, demo):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.get_data(as_text=True)


def test_setting_a_password_ends_older_sessions(app, db, demo):
    """If someone else had the password, resetting it must throw them out."""
    intruder = app.test_client()
    assert login(intruder, "p04@example.jp").status_code == 302
    assert intruder.get("/").status_code == 200
    token = create_invite(get_user_by_email("p04@example.jp"))
    db.session.commit()
    owner = app.test_client()
    done = owner.post(f"/invite/{token}", data={"password": "owner-new-pass",
                                                "confirm": "owner-new-pass"})
    assert done.status_code == 302
    assert owner.get("/").status_code == 200  # the person who reset stays logged in
    assert intruder.get("/").status_code == 302  # the old session has ended
    assert intruder.get("/api/v1/me").status_code == 401
