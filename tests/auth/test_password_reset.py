"""Forgotten passwords: the same answer for every email, a mail only where one is configured,
a one-time link minted when the worker sends it, and throttling."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from lms.auth.models import InviteToken
from lms.auth.services import get_user_by_email, hash_token
from lms.db import utcnow
from lms.outbox.models import OutboxMessage
from tests.conftest import PASSWORD, login
from tests.outbox.smtp import SmtpTestServer

PUBLIC_URL = "https://lms.example.jp"
SENT_TEXT = "入力されたメールアドレスのアカウントがある場合は"
ASK_ORGANIZER = "研修の主催者に、パスワードを設定し直すためのリンクを依頼してください"


@pytest.fixture
def app_config(app_config):
    # Whatever the environment says, these tests start without a mail server.
    return {**app_config, "MAIL_SERVER": None, "PUBLIC_URL": PUBLIC_URL}


@pytest.fixture
def smtp_server():
    with SmtpTestServer() as server:
        yield server


@pytest.fixture
def mail_on(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_FROM="lms@example.jp", MAIL_TIMEOUT=5)
    return smtp_server


@pytest.fixture
def people(make_user):
    make_user("known@example.jp", "山田 花子")
    gone = make_user("gone@example.jp", "退職 済")
    gone.active = False
    from lms.extensions import db

    db.session.commit()


def forgot(client, email):
    return client.post("/password/forgot", data={"email": email})


def main_text(response) -> str:
    """The page's <main>, which is all that differs between answers (no CSRF token in it)."""
    html = response.get_data(as_text=True)
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def rows(db) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def invites(db) -> int:
    return db.session.scalar(select(func.count()).select_from(InviteToken))


def run_worker(app):
    result = app.test_cli_runner().invoke(args=["lms", "worker", "--once"])
    assert result.exit_code == 0, result.output
    return result


def link_in(mail) -> str:
    (link,) = re.findall(r"https?://\S+", mail.text)
    return link


def test_login_page_links_to_the_forgot_page(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in html
    assert "パスワードを忘れた場合" in html


def test_without_mail_the_page_sends_people_to_their_organizer(client, db, people):
    page = client.get("/password/forgot")
    assert page.status_code == 200
    assert ASK_ORGANIZER in page.get_data(as_text=True)
    assert 'name="email"' not in page.get_data(as_text=True)
    answers = [forgot(client, email) for email in
               ("known@example.jp", "nobody@example.jp", "gone@example.jp")]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({main_text(a) for a in answers}) == 1
    assert ASK_ORGANIZER in main_text(answers[0])
    assert rows(db) == [] and invites(db) == 0


def test_with_mail_the_answer_is_the_same_but_only_a_known_account_gets_mail(
        client, db, people, mail_on):
    page = client.get("/password/forgot").get_data(as_text=True)
    assert 'name="email"' in page and 'autocomplete="username"' in page
    known = forgot(client, "Known@Example.JP ")
    unknown = forgot(client, "nobody@example.jp")
    inactive = forgot(client, "gone@example.jp")
    assert [r.status_code for r in (known, unknown, inactive)] == [200, 200, 200]
    assert main_text(known) == main_text(unknown) == main_text(inactive)
    assert SENT_TEXT in main_text(known)
    (row,) = rows(db)
    assert (row.kind, row.recipient, row.sent_at) == ("password_reset", "known@example.jp", None)
    assert "山田 花子 様" in row.body
    # No link exists yet: the worker mints it when it sends, so none is stored in clear.
    assert invites(db) == 0 and "/invite/" not in row.body
    assert mail_on.received == []  # the request never talks to the mail server


def test_an_empty_email_is_a_form_error_and_queues_nothing(client, db, mail_on):
    response = forgot(client, "")
    assert response.status_code == 400
    assert "入力してください" in response.get_data(as_text=True)
    assert rows(db) == []


def test_the_mailed_link_sets_a_password_that_logs_in_once(app, client, db, people, mail_on):
    forgot(client, "known@example.jp")
    run_worker(app)
    (mail,) = mail_on.received
    assert mail.rcpt_to == ["known@example.jp"]
    assert mail.message["Subject"] == "【自治体DX研修】パスワード再設定のご案内"
    assert "山田 花子 様" in mail.text and "14日間有効" in mail.text
    link = link_in(mail)
    assert link.startswith(PUBLIC_URL + "/invite/")
    token = link.rsplit("/", 1)[1]
    # Stored hashed only: neither the outbox nor the invitation holds the link.
    (row,) = rows(db)
    assert row.sent_at is not None and token not in row.body
    invite = db.session.scalar(select(InviteToken))
    assert invite.token_hash == hash_token(token)
    assert invite.expires_at - invite.created_at == timedelta(days=14)

    path = urlsplit(link).path
    page = client.get(path)
    assert page.status_code == 200 and "山田 花子" in page.get_data(as_text=True)
    done = client.post(path, data={"password": "new-password-123",
                                   "confirm": "new-password-123"})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    client.post("/logout")
    assert login(client, "known@example.jp", PASSWORD).status_code == 400  # old one is gone
    assert login(client, "known@example.jp", "new-password-123").status_code == 302
    client.post("/logout")
    again = client.get(path)
    assert again.status_code == 404
    assert "無効か、期限が切れています" in again.get_data(as_text=True)
    assert client.post(path, data={"password": "other-password-456",
                                   "confirm": "other-password-456"}).status_code == 404


def test_the_mailed_link_expires(app, client, db, people, mail_on):
    forgot(client, "known@example.jp")
    run_worker(app)
    path = urlsplit(link_in(mail_on.received[0])).path
    invite = db.session.scalar(select(InviteToken))
    invite.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 404
    assert client.post(path, data={"password": "new-password-123",
                                   "confirm": "new-password-123"}).status_code == 404
    assert get_user_by_email("known@example.jp") is not None
    assert login(client, "known@example.jp", PASSWORD).status_code == 302  # unchanged


def test_a_second_request_sends_a_second_working_link(app, client, db, people, mail_on):
    forgot(client, "known@example.jp")
    forgot(client, "known@example.jp")
    run_worker(app)
    links = [link_in(m) for m in mail_on.received]
    assert len(set(links)) == 2
    assert client.get(urlsplit(links[1]).path).status_code == 200


def test_an_account_deactivated_before_sending_gets_no_mail(app, client, db, people, mail_on):
    forgot(client, "known@example.jp")
    get_user_by_email("known@example.jp").active = False
    db.session.commit()
    run_worker(app)
    assert mail_on.received == [] and invites(db) == 0
    (row,) = rows(db)
    assert row.sent_at is not None and "無効" in row.last_error


def test_forgot_is_throttled_per_email(app, client, db, people, mail_on):
    app.config["PASSWORD_RESET_EMAIL_RATE_LIMIT"] = "3 per hour"
    statuses = [forgot(client, "known@example.jp").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "操作が多すぎます" in forgot(client, "known@example.jp").get_data(as_text=True)
    assert len(rows(db)) == 3
    assert forgot(client, "other@example.jp").status_code == 200


def test_forgot_is_throttled_per_address_even_without_mail(app, client, db):
    app.config["PASSWORD_RESET_RATE_LIMIT"] = "5 per minute"
    statuses = [forgot(client, f"u{i}@example.jp").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
    assert client.get("/password/forgot").status_code == 200  # reading the page is not limited
