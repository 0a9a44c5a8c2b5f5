"""Queue mail in the caller's transaction; send what is due over SMTP, backing off on errors."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from sqlalchemy import select

from lms.db import utcnow
from lms.extensions import db
from lms.outbox.models import OutboxMessage

RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
_ERROR_CHARS = 1000


class SkipMessage(Exception):
    """Raised by a preparer when a queued mail should no longer go out (the reason is kept)."""


# Turns a queued row into the body to send, just before sending. Lets a domain put secrets
# (one-time links) into the mail without ever storing them in the outbox.
Prepare = Callable[[OutboxMessage, datetime], str]


class MailSender(Protocol):
    """What send_pending needs: a context manager (one connection per batch) that sends."""

    def __enter__(self) -> MailSender: ...

    def __exit__(self, *exc) -> bool | None: ...

    def send(self, recipient: str, subject: str, body: str) -> None: ...


class SmtpSender:
    """Plain SMTP (optionally STARTTLS and login); one connection per batch."""

    def __init__(self, host: str, port: int = 25, *, from_addr: str, use_tls: bool = False,
                 username: str | None = None, password: str | None = None,
                 timeout: float = 10):
        self.host, self.port, self.from_addr = host, port, from_addr
        self.use_tls, self.username, self.password = use_tls, username, password
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_config(cls, config: Mapping) -> SmtpSender:
        return cls(config["MAIL_SERVER"], config["MAIL_PORT"], from_addr=config["MAIL_FROM"],
                   use_tls=config["MAIL_USE_TLS"], username=config["MAIL_USERNAME"],
                   password=config["MAIL_PASSWORD"], timeout=config["MAIL_TIMEOUT"])

    def __enter__(self) -> SmtpSender:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return self

    def __exit__(self, *exc) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except OSError:
            smtp.close()

    def send(self, recipient: str, subject: str, body: str) -> None:
        assert self._smtp is not None, "use `with sender:` around send()"
        message = EmailMessage()
        message["From"] = self.from_addr
        message["To"] = recipient
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=self.from_addr.rpartition("@")[2] or None)
        # base64 keeps Japanese text intact on servers that do not announce 8BITMIME.
        message.set_content(body, charset="utf-8", cte="base64")
        self._smtp.send_message(message)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.failed + self.skipped


def enqueue_mail(kind: str, recipient: str, subject: str, body: str,
                 now: datetime | None = None) -> OutboxMessage:
    """Queue a mail in the current transaction (add + flush, no commit); due at once."""
    now = now or utcnow()
    message = OutboxMessage(kind=kind, recipient=recipient, subject=subject, body=body,
                            created_at=now, next_attempt_at=now, attempts=0)
    db.session.add(message)
    db.session.flush()
    return message


def claim_due(now: datetime, limit: int) -> list[OutboxMessage]:
    """Unsent messages due by `now`, oldest first, locked for this transaction.

    On PostgreSQL the rows are locked with SKIP LOCKED, so a second worker passes over them
    instead of sending them again. SQLite has no row locks: run a single worker there.
    """
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .execution_options(populate_existing=True))
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.scalars(stmt))


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd, 4th … failure, at most an hour."""
    # Cap the exponent first: after a long outage 2**attempts would overflow timedelta.
    return min(RETRY_FIRST * 2 ** min(max(attempts - 1, 0), 20), RETRY_MAX)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS]


def _record_failure(message: OutboxMessage, error: str, now: datetime) -> None:
    message.attempts += 1
    message.last_error = error
    message.next_attempt_at = now + retry_delay(message.attempts)


def send_pending(sender: MailSender, now: datetime | None = None, limit: int = 50,
                 prepare: Mapping[str, Prepare] | None = None) -> SendReport:
    """Send up to `limit` due messages through `sender`; never commits.

    A sent message gets `sent_at`; a failed one keeps waiting, with `last_error`, one more
    attempt and a later `next_attempt_at`. When the server cannot be reached at all, every
    claimed message is kept that way. `prepare` maps a kind to a function that gives the final
    body (it may raise SkipMessage to drop the mail with a reason). Raises only what the
    database or a preparer raises beyond SkipMessage.
    """
    now = now or utcnow()
    prepare = prepare or {}
    report = SendReport()
    messages = claim_due(now, limit)
    if not messages:
        return report
    try:
        connection = sender.__enter__()
    except OSError as exc:  # smtplib's errors are OSErrors too
        for message in messages:
            _record_failure(message, _describe(exc), now)
        report.failed = len(messages)
        report.errors.append(_describe(exc))
        db.session.flush()
        return report
    try:
        for index, message in enumerate(messages):
            try:
                body = prepare[message.kind](message, now) if message.kind in prepare \
                    else message.body
            except SkipMessage as exc:
                message.sent_at = now
                message.last_error = str(exc)[:_ERROR_CHARS]
                report.skipped += 1
                continue
            try:
                connection.send(message.recipient, message.subject, body)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                # The server refused this one mail; the connection is still good.
                _record_failure(message, _describe(exc), now)
                report.failed += 1
                report.errors.append(_describe(exc))
                continue
            except OSError as exc:
                # The connection broke: keep this and every later message for the next round.
                for rest in messages[index:]:
                    _record_failure(rest, _describe(exc), now)
                report.failed += len(messages) - index
                report.errors.append(_describe(exc))
                break
            message.attempts += 1
            message.sent_at = now
            message.last_error = None
            report.sent += 1
    finally:
        try:
            sender.__exit__(None, None, None)
        except OSError:
            pass  # the mails are out; a failed goodbye changes nothing
    db.session.flush()
    return report
