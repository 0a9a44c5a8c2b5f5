"""API tokens that can be seen and revoked (issue 14): last use recorded at most once a
minute, an account page to revoke them, `lms token --revoke`."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import ApiToken
from lms.db import utcnow


def _row(db, headers) -> ApiToken:
    from lms.auth.services import hash_token

    token = headers["Authorization"].split()[1]
    db.session.expire_all()
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))


def test_last_use_is_recorded_once_a_minute_not_on_every_request(client, db, make_user,
                                                                  token_for, count_queries):
    make_user("api@example.jp")
    headers = token_for("api@example.jp")
    assert _row(db, headers).last_used_at is None
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    first = _row(db, headers).last_used_at
    assert first is not None and utcnow() - first < timedelta(seconds=30)
    with count_queries() as statements:
        client.get("/api/v1/me", headers=headers)
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements)
    assert _row(db, headers).last_used_at == first
    # A minute later the next request records the use again.
    row = _row(db, headers)
    row.last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    client.get("/api/v1/me", headers=headers)
    assert _row(db, headers).last_used_at > first - timedelta(minutes=2)


def test_a_person_sees_and_revokes_their_own_tokens(login_as, client, db, make_user,
                                                    token_for):
    make_user("owner@example.jp")
    make_user("other@example.jp")
    mine = token_for("owner@example.jp")
    theirs = token_for("other@example.jp")
    client.get("/api/v1/me", headers=mine)
    web = login_as("owner@example.jp")
    page = web.get("/account").get_data(as_text=True)
    row = _row(db, mine)
    assert "APIトークン" in page and f"トークン{row.id}を失効させる" in page
    assert "有効" in page and "未使用" not in page  # used once: the time is shown
    # Another person's token is neither listed nor revocable.
    other = _row(db, theirs)
    assert f"トークン{other.id}を" not in page
    assert web.post(f"/account/tokens/{other.id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=theirs).status_code == 200

    done = web.post(f"/account/tokens/{row.id}/revoke", follow_redirects=True)
    assert "トークンを失効させました" in done.get_data(as_text=True)
    assert f"トークン{row.id}を失効させる" not in done.get_data(as_text=True)
    assert client.get("/api/v1/me", headers=mine).status_code == 401


def test_a_new_token_is_shown_once_and_works(login_as, client, db, make_user):
    make_user("maker@example.jp")
    web = login_as("maker@example.jp")
    created = web.post("/account/tokens")
    assert created.status_code == 201
    token = re.search(r'value="(lms_[^"]+)"', created.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                      ).get_json()["email"] == "maker@example.jp"
    assert token not in web.get("/account").get_data(as_text=True)


def test_the_account_page_needs_a_login(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_cli_revokes_by_email_or_by_token(app, client, db, make_user, token_for):
    make_user("cli@example.jp")
    first, second = token_for("cli@example.jp"), token_for("cli@example.jp")
    runner = app.test_cli_runner()
    out = runner.invoke(args=["lms", "token", "--revoke", second["Authorization"].split()[1]])
    assert out.exit_code == 0, out.output
    assert client.get("/api/v1/me", headers=second).status_code == 401
    assert client.get("/api/v1/me", headers=first).status_code == 200
    out = runner.invoke(args=["lms", "token", "--revoke", "cli@example.jp"])
    assert out.exit_code == 0 and "1件のトークンを失効させました" in out.output
    assert client.get("/api/v1/me", headers=first).status_code == 401
    unknown = runner.invoke(args=["lms", "token", "--revoke", "nobody@example.jp"])
    assert unknown.exit_code != 0 and "nobody@example.jp" in unknown.output
    spent = runner.invoke(args=["lms", "token", "--revoke", "lms_not-a-token"])
    assert spent.exit_code != 0


def test_log_out_everywhere_ends_every_browser_of_the_person(app, db, make_user):
    from tests.conftest import login

    make_user("twice@example.jp")
    make_user("bystander@example.jp")
    office, home, other = app.test_client(), app.test_client(), app.test_client()
    for client, email in ((office, "twice@example.jp"), (home, "twice@example.jp"),
                          (other, "bystander@example.jp")):
        assert login(client, email).status_code == 302
    assert home.get("/account").status_code == 200
    done = office.post("/account/logout-everywhere")
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    for client in (office, home):
        again = client.get("/account")
        assert again.status_code == 302 and "/login" in again.headers["Location"]
    assert other.get("/account").status_code == 200  # someone else stays logged in
    assert login(home, "twice@example.jp").status_code == 302  # and may log in again
