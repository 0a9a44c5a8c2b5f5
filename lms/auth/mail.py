"""Password-reset mail: queued without a secret, the one-time link minted when it is sent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from urllib.parse import urlsplit

from flask import Flask

from lms.auth.services import create_invite, get_user_by_email
from lms.outbox.models import OutboxMessage
from lms.outbox.services import SkipMessage, enqueue_mail

PASSWORD_RESET = "password_reset"
# The line the worker replaces with the link. The queued row never holds the link itself:
# CONTRACT says tokens and links are stored hashed only, and a queued mail can wait for hours.
LINK_LINE = "[[パスワード設定リンク]]"
SUBJECT = "【自治体DX研修】パスワード再設定のご案内"
BODY = """{name} 様

自治体DX研修 LMS のパスワード再設定の依頼を受け付けました。
次のリンクを開いて、新しいパスワードを設定してください。

{link_line}

このリンクは1回だけ使え、{days}日間有効です。
心当たりがない場合は、このメールを破棄してください。パスワードは変わりません。
"""


def queue_password_reset(email: str, days: int, now: datetime | None = None
                         ) -> OutboxMessage | None:
    """Queue a reset mail for the active account with this email; None (and nothing queued)
    when there is no such account. Callers must answer the same either way."""
    user = get_user_by_email(email)
    if user is None or not user.active:
        return None
    body = BODY.format(name=user.name, link_line=LINK_LINE, days=days)
    return enqueue_mail(PASSWORD_RESET, user.email, SUBJECT, body, now=now)


def prepare_password_reset(message: OutboxMessage, now: datetime, *, days: int,
                           link_for: Callable[[str], str]) -> str:
    """Mint a fresh invitation for the recipient and put its link into the body.

    Raises SkipMessage when the account is gone or deactivated since the mail was queued.
    """
    user = get_user_by_email(message.recipient)
    if user is None or not user.active:
        raise SkipMessage("アカウントが見つからないか無効になったため、送信しませんでした。")
    link = link_for(create_invite(user, days=days, now=now))
    lines = [link if line == LINK_LINE else line for line in message.body.split("\n")]
    return "\n".join(lines)


def invite_link_builder(app: Flask) -> Callable[[str], str]:
    """Absolute /invite/<token> links on PUBLIC_URL, without a request context."""
    base = urlsplit(app.config["PUBLIC_URL"])
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/",
                               url_scheme=base.scheme or "http")

    def link_for(token: str) -> str:
        return adapter.build("auth.accept_invite", {"token": token}, force_external=True)

    return link_for


def mail_preparers(app: Flask) -> Mapping[str, Callable[[OutboxMessage, datetime], str]]:
    """The worker's preparers for the mail kinds this domain queues."""
    return {PASSWORD_RESET: partial(prepare_password_reset, days=app.config["INVITE_DAYS"],
                                    link_for=invite_link_builder(app))}
