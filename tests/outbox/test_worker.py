"""`flask --app wsgi lms worker --once` against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.auth.models import InviteToken
from lms.db import utcnow
from lms.outbox.models import OutboxMessage
from lms.outbox.services import enqueue_mail
from tests.outbox.smtp import SmtpTestServer, closed_port


@pytest.fixture
def smtp_server():
    with SmtpTestServer() as server:
        yield server


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port,
            "MAIL_FROM": "lms@example.jp", "MAIL_TIMEOUT": 5}


def worker(app, *args):
    return app.test_cli_runner().invoke(args=["lms", "worker", "--once", *args])


def test_worker_sends_what_is_due_and_exits(app, db, smtp_server):
    row = enqueue_mail("notice", "p01@example.jp", "【自治体DX研修】お知らせ", "第3回は来週です。")
    db.session.commit()
    result = worker(app)
    assert result.exit_code == 0, result.output
    assert "送信 1件" in result.output
    (mail,) = smtp_server.received
    assert mail.rcpt_to == ["p01@example.jp"] and mail.mail_from == "lms@example.jp"
    assert mail.message["Subject"] == "【自治体DX研修】お知らせ"
    assert mail.text.strip() == "第3回は来週です。"
    db.session.refresh(row)
    assert row.sent_at is not None and row.attempts == 1
    # Run again: nothing is sent twice.
    assert worker(app).exit_code == 0
    assert len(smtp_server.received) == 1


def test_worker_works_through_more_than_one_batch(app, db, smtp_server):
    for i in range(5):
        enqueue_mail("notice", f"p{i:02d}@example.jp", "件名", "本文")
    db.session.commit()
    assert worker(app, "--batch", "2").exit_code == 0
    assert sorted(m.rcpt_to[0] for m in smtp_server.received) == [
        f"p{i:02d}@example.jp" for i in range(5)]


def test_worker_with_the_server_down_keeps_the_mail_and_retries_later(app, db, smtp_server):
    row = enqueue_mail("notice", "p01@example.jp", "件名", "本文")
    db.session.commit()
    app.config["MAIL_PORT"] = closed_port()
    before = utcnow()
    result = worker(app)
    assert result.exit_code == 0
    assert "失敗 1件" in result.output
    db.session.refresh(row)
    assert row.sent_at is None and row.attempts == 1
    assert "refused" in row.last_error.lower()
    assert row.next_attempt_at >= before + timedelta(minutes=1)
    # The server is back, but the message waits for its turn ...
    app.config["MAIL_PORT"] = smtp_server.port
    worker(app)
    assert smtp_server.received == []
    # ... and goes out once it is due.
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert worker(app).exit_code == 0
    assert [m.rcpt_to for m in smtp_server.received] == [["p01@example.jp"]]
    db.session.refresh(row)
    assert row.sent_at is not None and row.attempts == 2 and row.last_error is None


def test_a_reset_mail_that_could_not_be_sent_mints_no_link(app, db, make_user):
    from lms.auth.mail import queue_password_reset

    make_user("p01@example.jp")
    queue_password_reset("p01@example.jp", days=14)
    db.session.commit()
    app.config["MAIL_PORT"] = closed_port()
    worker(app)
    assert db.session.scalar(select(func.count()).select_from(InviteToken)) == 0


def test_worker_without_a_mail_server_says_so_and_fails(app, db):
    app.config["MAIL_SERVER"] = None
    enqueue_mail("notice", "p01@example.jp", "件名", "本文")
    db.session.commit()
    result = worker(app)
    assert result.exit_code == 1
    assert "メールサーバー（MAIL_SERVER）が設定されていない" in result.output
    assert db.session.scalar(select(OutboxMessage.attempts)) == 0
