"""LMS_REQUIRE_MFA (issue 14): trainers and organizers of any cohort are sent to the enrolment
page after login and reach nothing else until they enrol; participants are not asked;
API bearer tokens work as before."""

from __future__ import annotations

import re

import pyotp
import pytest

from lms.extensions import limiter
from tests.conftest import login


@pytest.fixture
def app_config(app_config):
    return {**app_config, "REQUIRE_MFA": True}


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    limiter.reset()


def test_the_switch_is_read_from_the_environment(monkeypatch):
    from lms.config import load_config

    monkeypatch.setenv("LMS_REQUIRE_MFA", "1")
    assert load_config()["REQUIRE_MFA"] is True
    monkeypatch.delenv("LMS_REQUIRE_MFA")
    assert load_config()["REQUIRE_MFA"] is False


def test_staff_without_mfa_see_only_the_enrolment_page(app, demo):
    client = app.test_client()
    response = login(client, "trainer1@example.jp")
    assert response.status_code == 302
    landing = client.get(response.headers["Location"])
    assert landing.status_code == 302 and landing.headers["Location"] == "/account/mfa"
    page = client.get("/account/mfa")
    assert page.status_code == 200
    assert "講師・主催者は多要素認証の設定が必要です" in page.get_data(as_text=True)
    for path in ("/account", f"/c/{demo.slug}/channels", f"/c/{demo.slug}/homework"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/mfa", path
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "mfa_required"
    assert client.post("/api/v1/goals/check", json={"text": "x"}).status_code == 403
    assert client.get("/account/mfa/qr.svg").status_code == 200
    assert client.post("/logout").headers["Location"] == "/login"


def test_organizers_too(app, demo):
    client = app.test_client()
    login(client, "organizer@example.jp")
    assert client.get("/").headers["Location"] == "/account/mfa"


def test_participants_are_not_asked(app, demo):
    client = app.test_client()
    login(client, "p01@example.jp")
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_a_bearer_token_is_not_stopped(app, demo, token_for):
    response = app.test_client().get("/api/v1/me", headers=token_for("trainer1@example.jp"))
    assert response.status_code == 200


def test_after_enrolling_staff_work_as_before_with_two_steps(app, demo):
    client = app.test_client()
    login(client, "trainer1@example.jp")
    html = client.get("/account/mfa").get_data(as_text=True)
    secret = re.search(r'id="mfa-secret"[^>]*value="([A-Z2-7 ]+)"', html).group(1)
    totp = pyotp.TOTP(secret.replace(" ", ""))
    assert client.post("/account/mfa/confirm", data={"code": totp.now()}).status_code == 201
    assert client.get("/").status_code == 200
    client.post("/logout")

    other = app.test_client()
    assert login(other, "trainer1@example.jp").headers["Location"] == "/login/mfa"
    assert other.get("/").headers["Location"].startswith("/login")


def test_staff_without_mfa_cannot_open_a_socket_with_the_login_cookie(app, demo):
    """The gate holds for Socket.IO too: on every namespace a staff member who has not
    enrolled is refused, while a participant's socket connects."""
    from lms.extensions import socketio

    # (one login at a time: the test's app context shares flask.g between requests)
    trainer = app.test_client()
    assert login(trainer, "trainer1@example.jp").status_code == 302
    for namespace in ("/", "/retros", "/proposals"):
        refused = socketio.test_client(app, namespace=namespace, flask_test_client=trainer)
        assert not refused.is_connected(namespace), namespace
    participant = app.test_client()
    assert login(participant, "p01@example.jp").status_code == 302
    for namespace in ("/", "/retros", "/proposals"):
        allowed = socketio.test_client(app, namespace=namespace, flask_test_client=participant)
        assert allowed.is_connected(namespace), namespace
        allowed.disconnect(namespace=namespace)
