"""Multi-factor login (issue 14), from the outside: enrol with the key the page shows, log in
in two steps, and every refusal — wrong, replayed and spent codes, too many tries."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from lms.extensions import limiter
from tests.conftest import PASSWORD, login

EMAIL = "trainer@example.jp"


class Clock:
    """The server's clock for TOTP, moved by the test in 30-second steps."""

    def __init__(self):
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("lms.auth.mfa.time", clock)
    return clock


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    limiter.reset()


def secret_from_page(html: str) -> str:
    match = re.search(r'id="mfa-secret"[^>]*value="([A-Z2-7 ]+)"', html)
    assert match, "the enrolment page shows the key for manual entry"
    return match.group(1).replace(" ", "")


def enrol(client, clock) -> tuple[pyotp.TOTP, list[str]]:
    page = client.get("/account/mfa")
    assert page.status_code == 200
    totp = pyotp.TOTP(secret_from_page(page.get_data(as_text=True)))
    done = client.post("/account/mfa/confirm", data={"code": totp.at(clock.now)})
    assert done.status_code == 201
    codes = re.findall(r"<li>([a-z0-9]{4}(?:-[a-z0-9]{4}){3})</li>", done.get_data(as_text=True))
    return totp, codes


@pytest.fixture
def enrolled(app, make_user, clock):
    """A person with MFA on, logged out again; returns (totp, recovery codes)."""
    make_user(EMAIL)
    client = app.test_client()
    assert login(client, EMAIL).status_code == 302
    totp, codes = enrol(client, clock)
    client.post("/logout")
    clock.now += 30  # the enrolment code's step is spent
    return totp, codes


def password_step(client, email=EMAIL, next_url=None):
    data = {"email": email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/login", data=data)


def test_enrolment_page_shows_a_qr_code_and_the_key_and_needs_a_first_code(app, make_user,
                                                                           clock):
    make_user(EMAIL)
    client = app.test_client()
    login(client, EMAIL)
    account = client.get("/account").get_data(as_text=True)
    assert 'href="/account/mfa"' in account and "未設定" in account

    page = client.get("/account/mfa")
    html = page.get_data(as_text=True)
    assert '<img src="/account/mfa/qr.svg"' in html and 'alt="認証アプリ' in html
    secret = secret_from_page(html)
    assert client.get("/account/mfa").get_data(as_text=True).count(
        " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))) == 1, \
        "a reload keeps the key the app has already scanned"

    qr = client.get("/account/mfa/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.headers["Cache-Control"] == "no-store"
    svg = qr.get_data(as_text=True)
    assert "<svg" in svg and "<path" in svg
    assert "style=" not in svg and "<script" not in svg  # nothing a strict CSP blocks

    wrong = client.post("/account/mfa/confirm", data={"code": "000000"
                                                      if pyotp.TOTP(secret).at(clock.now)
                                                      != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "確認コードが正しくありません" in wrong.get_data(as_text=True)
    assert client.post("/account/mfa/confirm", data={"code": "abc"}).status_code == 400
    # not on yet: the password alone still logs in
    other = app.test_client()
    assert password_step(other).headers["Location"] == "/"

    done = client.post("/account/mfa/confirm",
                       data={"code": pyotp.TOTP(secret).at(clock.now)})
    assert done.status_code == 201
    text = done.get_data(as_text=True)
    codes = re.findall(r"<li>([a-z0-9]{4}(?:-[a-z0-9]{4}){3})</li>", text)
    assert len(set(codes)) == 10
    assert "二度と表示されません" in text
    # the key is never shown again
    assert client.get("/account/mfa/qr.svg").status_code == 404
    again = client.get("/account/mfa").get_data(as_text=True)
    assert secret[:8] not in again.replace(" ", "") and codes[0] not in again
    assert "有効" in again and "残り10個" in again


def test_login_takes_a_second_step_and_no_session_before_it(app, enrolled, clock):
    totp, _codes = enrolled
    client = app.test_client()
    first = password_step(client, next_url="/account")
    assert first.status_code == 302 and first.headers["Location"] == "/login/mfa"
    # the password alone opens nothing
    assert client.get("/account").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    step = client.get("/login/mfa")
    assert step.status_code == 200 and "確認コード" in step.get_data(as_text=True)

    wrong = client.post("/login/mfa", data={"code": "12345"})
    assert wrong.status_code == 400
    assert "確認コードが正しくない" in wrong.get_data(as_text=True)
    assert client.get("/account").status_code == 302

    ok = client.post("/login/mfa", data={"code": totp.at(clock.now)})
    assert ok.status_code == 302 and ok.headers["Location"] == "/account"
    assert client.get("/api/v1/me").get_json()["email"] == EMAIL


def test_wrong_password_never_reaches_the_code_step(app, enrolled):
    client = app.test_client()
    response = client.post("/login", data={"email": EMAIL, "password": "wrong-password!"})
    assert response.status_code == 400
    assert client.get("/login/mfa").headers["Location"] == "/login"


def test_a_code_cannot_be_used_twice_within_its_window(app, enrolled, clock):
    totp, _codes = enrolled
    code = totp.at(clock.now)
    client = app.test_client()
    password_step(client)
    assert client.post("/login/mfa", data={"code": code}).status_code == 302

    thief = app.test_client()  # saw the code over the shoulder, has the password
    password_step(thief)
    replay = thief.post("/login/mfa", data={"code": code})
    assert replay.status_code == 400
    assert thief.get("/account").status_code == 302
    # nor an older code still inside the drift window
    assert thief.post("/login/mfa", data={"code": totp.at(clock.now - 30)}).status_code == 400
    clock.now += 30
    assert thief.post("/login/mfa", data={"code": totp.at(clock.now)}).status_code == 302


def test_a_code_from_outside_the_window_is_refused(app, enrolled, clock):
    totp, _codes = enrolled
    client = app.test_client()
    password_step(client)
    assert client.post("/login/mfa", data={"code": totp.at(clock.now + 90)}).status_code == 400
    assert client.post("/login/mfa", data={"code": totp.at(clock.now - 90)}).status_code == 400


def test_a_recovery_code_works_once(app, enrolled):
    _totp, codes = enrolled
    client = app.test_client()
    password_step(client)
    ok = client.post("/login/mfa", data={"code": codes[0].upper().replace("-", " ")})
    assert ok.status_code == 302
    assert "残りは9個" in client.get("/").get_data(as_text=True)
    client.post("/logout")

    password_step(client)
    again = client.post("/login/mfa", data={"code": codes[0]})
    assert again.status_code == 400 and "すでに使われています" in again.get_data(as_text=True)
    assert client.post("/login/mfa", data={"code": codes[1]}).status_code == 302


def test_wrong_codes_are_throttled_per_account(app, enrolled, clock):
    app.config["MFA_RATE_LIMIT"] = "3 per minute"
    totp, _codes = enrolled
    for _ in range(3):
        client = app.test_client()  # a new session, a new password step: still counted
        password_step(client)
        assert client.post("/login/mfa", data={"code": "999999"}).status_code == 400
    password_step(client)
    blocked = client.post("/login/mfa", data={"code": totp.at(clock.now)})
    assert blocked.status_code == 429
    assert "しばらく待って" in blocked.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_the_code_step_expires(app, enrolled, clock, monkeypatch):
    totp, _codes = enrolled
    client = app.test_client()
    password_step(client)
    real = time.time
    monkeypatch.setattr("lms.auth.mfa_views.time.time", lambda: real() + 301)
    late = client.post("/login/mfa", data={"code": totp.at(clock.now)})
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302


def test_a_password_change_ends_a_pending_code_step(app, db, enrolled, clock):
    from lms.auth.services import get_user_by_email, set_password

    totp, _codes = enrolled
    client = app.test_client()
    password_step(client)
    set_password(get_user_by_email(EMAIL), "a-brand-new-password")
    db.session.commit()
    response = client.post("/login/mfa", data={"code": totp.at(clock.now)})
    assert response.headers["Location"] == "/login"


def test_turning_it_off_needs_the_password_and_a_code(app, enrolled, clock):
    totp, _codes = enrolled
    client = app.test_client()
    password_step(client)
    client.post("/login/mfa", data={"code": totp.at(clock.now)})
    clock.now += 30

    bad_pw = client.post("/account/mfa/disable",
                         data={"password": "not-my-password", "code": totp.at(clock.now)})
    assert bad_pw.status_code == 400
    assert "パスワードが正しくありません" in bad_pw.get_data(as_text=True)
    bad_code = client.post("/account/mfa/disable", data={"password": PASSWORD, "code": "000001"})
    assert bad_code.status_code == 400
    assert client.post("/account/mfa/disable",
                       data={"password": PASSWORD, "code": ""}).status_code == 400

    off = client.post("/account/mfa/disable",
                      data={"password": PASSWORD, "code": totp.at(clock.now)})
    assert off.status_code == 302 and off.headers["Location"] == "/account"
    assert "未設定" in client.get("/account").get_data(as_text=True)
    client.post("/logout")
    assert password_step(client).headers["Location"] == "/"


def test_the_cli_resets_a_persons_mfa(app, enrolled):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "mfa", "--reset", EMAIL.upper()])
    assert result.exit_code == 0, result.output
    assert "解除しました" in result.output
    client = app.test_client()
    assert password_step(client).headers["Location"] == "/"

    again = runner.invoke(args=["lms", "mfa", "--reset", EMAIL])
    assert again.exit_code == 0 and "変更なし" in again.output
    unknown = runner.invoke(args=["lms", "mfa", "--reset", "nobody@example.jp"])
    assert unknown.exit_code == 1 and "nobody@example.jp" in unknown.output


def test_api_tokens_are_not_asked_for_a_code(app, enrolled, token_for):
    response = app.test_client().get("/api/v1/me", headers=token_for(EMAIL))
    assert response.status_code == 200 and response.get_json()["email"] == EMAIL


def test_new_recovery_codes_replace_the_old_ones(app, enrolled, clock):
    totp, old = enrolled
    client = app.test_client()
    password_step(client)
    client.post("/login/mfa", data={"code": old[0]})
    # a recovery code does not mint new ones: the app's code is needed
    refused = client.post("/account/mfa/recovery-codes", data={"code": old[1]})
    assert refused.status_code == 400
    assert "確認コード（6桁）が正しくない" in refused.get_data(as_text=True)

    renewed = client.post("/account/mfa/recovery-codes", data={"code": totp.at(clock.now)})
    assert renewed.status_code == 201
    text = renewed.get_data(as_text=True)
    assert "新しいリカバリーコードを発行しました" in text
    new = re.findall(r"<li>([a-z0-9]{4}(?:-[a-z0-9]{4}){3})</li>", text)
    assert len(set(new)) == 10 and not set(new) & set(old)
    client.post("/logout")

    password_step(client)
    assert client.post("/login/mfa", data={"code": old[2]}).status_code == 400
    assert client.post("/login/mfa", data={"code": new[0]}).status_code == 302
