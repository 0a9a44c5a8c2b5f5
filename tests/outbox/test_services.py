"""The outbox: queued in the caller's transaction, sent when due, kept and retried on errors."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.db import utcnow
from lms.extensions import db as _db
from lms.outbox.models import OutboxMessage
from lms.outbox.services import (
    SkipMessage,
    SmtpSender,
    claim_due,
    enqueue_mail,
    retry_delay,
    send_pending,
)
from tests.outbox.smtp import SmtpTestServer, closed_port


class FakeSender:
    """Records what it sends; can fail to connect, refuse one address or drop the line."""

    def __init__(self, connect_error: Exception | None = None, refuse: set[str] = frozenset(),
                 drop_after: int | None = None):
        self.connect_error, self.refuse, self.drop_after = connect_error, refuse, drop_after
        self.sent: list[tuple[str, str, str]] = []
        self.connections = 0

    def __enter__(self):
        self.connections += 1
        if self.connect_error:
            raise self.connect_error
        return self

    def __exit__(self, *exc):
        return None

    def send(self, recipient, subject, body):
        if recipient in self.refuse:
            raise smtplib.SMTPRecipientsRefused({recipient: (550, b"no such mailbox")})
        if self.drop_after is not None and len(self.sent) >= self.drop_after:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        self.sent.append((recipient, subject, body))


def _queue(n: int, now, prefix="p"):
    rows = [enqueue_mail("test", f"{prefix}{i}@example.jp", f"件名{i}", f"本文{i}", now=now)
            for i in range(n)]
    _db.session.commit()
    return rows


def _count(**filters) -> int:
    stmt = select(func.count()).select_from(OutboxMessage)
    for name, value in filters.items():
        column = getattr(OutboxMessage, name)
        stmt = stmt.where(column.is_(None) if value is None else column == value)
    return _db.session.scalar(stmt)


def test_enqueue_belongs_to_the_callers_transaction(db):
    enqueue_mail("test", "a@example.jp", "件名", "本文")
    db.session.rollback()
    assert _count() == 0
    row = enqueue_mail("test", "a@example.jp", "件名", "本文")
    db.session.commit()
    assert (row.attempts, row.sent_at, row.last_error) == (0, None, None)
    assert row.next_attempt_at <= utcnow()


def test_due_messages_are_sent_once_and_marked(db):
    now = utcnow()
    _queue(2, now)
    later = enqueue_mail("test", "later@example.jp", "件名", "本文", now=now)
    later.next_attempt_at = now + timedelta(minutes=5)
    db.session.commit()
    sender = FakeSender()
    report = send_pending(sender, now, limit=10)
    db.session.commit()
    assert (report.sent, report.failed) == (2, 0)
    assert sender.sent == [("p0@example.jp", "件名0", "本文0"), ("p1@example.jp", "件名1", "本文1")]
    assert _count(sent_at=None) == 1  # the one not yet due
    assert send_pending(sender, now, limit=10).claimed == 0
    assert len(sender.sent) == 2


def test_limit_caps_one_batch(db):
    now = utcnow()
    _queue(5, now)
    sender = FakeSender()
    assert send_pending(sender, now, limit=3).sent == 3
    assert send_pending(sender, now, limit=3).sent == 2
    assert [s[0] for s in sender.sent] == [f"p{i}@example.jp" for i in range(5)]


def test_server_down_keeps_every_message_and_backs_off(db):
    now = utcnow()
    rows = _queue(2, now)
    down = FakeSender(connect_error=ConnectionRefusedError(111, "Connection refused"))
    report = send_pending(down, now, limit=10)
    db.session.commit()
    assert (report.sent, report.failed) == (0, 2)
    for row in rows:
        assert row.sent_at is None and row.attempts == 1
        assert "Connection refused" in row.last_error
        assert row.next_attempt_at == now + timedelta(minutes=1)
    # Not due again before the back-off has passed: no connection is even tried.
    assert send_pending(down, now + timedelta(seconds=59), limit=10).claimed == 0
    assert down.connections == 1
    second = now + timedelta(minutes=1)
    send_pending(down, second, limit=10)
    db.session.commit()
    assert rows[0].attempts == 2
    assert rows[0].next_attempt_at == second + timedelta(minutes=2)  # the wait grows
    up = FakeSender()
    third = second + timedelta(minutes=2)
    assert send_pending(up, third, limit=10).sent == 2
    db.session.commit()
    assert rows[0].sent_at == third and rows[0].attempts == 3 and rows[0].last_error is None


def test_retry_delay_doubles_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(7) == timedelta(hours=1)
    assert retry_delay(50) == timedelta(hours=1)


def test_a_refused_recipient_does_not_hold_up_the_others(db):
    now = utcnow()
    rows = _queue(3, now)
    sender = FakeSender(refuse={"p1@example.jp"})
    report = send_pending(sender, now, limit=10)
    db.session.commit()
    assert (report.sent, report.failed) == (2, 1)
    assert [s[0] for s in sender.sent] == ["p0@example.jp", "p2@example.jp"]
    assert rows[1].sent_at is None and "550" in rows[1].last_error


def test_a_dropped_connection_keeps_the_rest_for_later(db):
    now = utcnow()
    rows = _queue(3, now)
    report = send_pending(FakeSender(drop_after=1), now, limit=10)
    db.session.commit()
    assert (report.sent, report.failed) == (1, 2)
    assert rows[0].sent_at == now
    assert all(r.sent_at is None and r.attempts == 1 for r in rows[1:])
    assert "SMTPServerDisconnected" in rows[2].last_error


def test_a_preparer_fills_in_the_body_or_drops_the_mail(db):
    now = utcnow()
    keep = enqueue_mail("greeting", "a@example.jp", "件名", "こんにちは [[名前]]", now=now)
    drop = enqueue_mail("greeting", "gone@example.jp", "件名", "こんにちは [[名前]]", now=now)
    db.session.commit()

    def prepare(message, when):
        if message.recipient.startswith("gone"):
            raise SkipMessage("アカウントがありません。")
        return message.body.replace("[[名前]]", "山田さん")

    sender = FakeSender()
    report = send_pending(sender, now, limit=10, prepare={"greeting": prepare})
    db.session.commit()
    assert (report.sent, report.skipped) == (1, 1)
    assert sender.sent == [("a@example.jp", "件名", "こんにちは 山田さん")]
    assert keep.body == "こんにちは [[名前]]"  # the queued row is not rewritten
    assert drop.sent_at == now and drop.last_error == "アカウントがありません。"


def test_smtp_sender_delivers_japanese_mail_over_a_real_socket(app):
    with SmtpTestServer() as server:
        sender = SmtpSender("127.0.0.1", server.port, from_addr="lms@example.jp", timeout=5)
        with sender:
            sender.send("p01@example.jp", "【自治体DX研修】件名", "本文です。\n.行頭の点\n")
    (mail,) = server.received
    assert mail.mail_from == "lms@example.jp" and mail.rcpt_to == ["p01@example.jp"]
    assert mail.message["Subject"] == "【自治体DX研修】件名"
    assert mail.message["To"] == "p01@example.jp"
    assert mail.text == "本文です。\n.行頭の点\n"


def test_smtp_sender_connection_refused_is_an_oserror():
    with pytest.raises(OSError):
        SmtpSender("127.0.0.1", closed_port(), from_addr="lms@example.jp",
                   timeout=2).__enter__()


# --- PostgreSQL: two workers never claim the same message -----------------------------------


@pytest.mark.postgres
def test_skip_locked_keeps_two_workers_apart_on_postgresql(pg_app):
    now = utcnow()
    _queue(3, now)
    first = claim_due(now, limit=2)  # worker A holds these rows until its commit
    assert [m.recipient for m in first] == ["p0@example.jp", "p1@example.jp"]
    with pg_app.app_context():  # worker B: its own session and connection
        sender_b = FakeSender()
        assert send_pending(sender_b, now, limit=10).sent == 1
        _db.session.commit()
    assert [s[0] for s in sender_b.sent] == ["p2@example.jp"]
    sender_a = FakeSender()
    _db.session.rollback()  # worker A gives up its claim without sending
    assert send_pending(sender_a, now, limit=10).sent == 2
    _db.session.commit()
    assert [s[0] for s in sender_a.sent] == ["p0@example.jp", "p1@example.jp"]
    assert _count(sent_at=None) == 0
