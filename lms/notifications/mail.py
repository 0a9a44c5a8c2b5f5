"""Notification mail through the outbox: plain text, links only (LGWAN gateways strip HTML
and attachments), an immediate mail for what a person marks urgent and a daily digest, each
with a per-kind unsubscribe link that works without logging in."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, or_, select

from lms.auth.models import User
from lms.extensions import db
from lms.notifications.kinds import KIND_LABELS
from lms.notifications.models import Notification, NotificationSetting
from lms.outbox.services import enqueue_mail

TOKYO = ZoneInfo("Asia/Tokyo")
DIGEST_AT = time(7, 0)  # the daily digest covers what came before 7:00 (Tokyo) that day
DIGEST_WINDOW = timedelta(days=7)  # older unmailed notifications are not mailed any more
MAIL_IMMEDIATE = "notification"
MAIL_DIGEST = "notification_digest"
SALT = "notifications-unsubscribe"
FOOTER = ("\n---\n自治体DX研修 LMS からの自動送信です。このメールに返信しても届きません。\n"
          "通知の設定: {settings}\n")


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _base() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/")


def absolute(url: str) -> str:
    """A notification's link as an absolute URL on PUBLIC_URL (mail has no request)."""
    if url.startswith(("http://", "https://")):
        return url
    return _base() + (url if url.startswith("/") else "/" + url)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer().dumps({"u": user_id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) of a genuine token, else None."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) \
            or data.get("k") not in KIND_LABELS:
        return None
    return data["u"], data["k"]


def unsubscribe_url(user_id: int, kind: str) -> str:
    return f"{_base()}/notifications/unsubscribe/{unsubscribe_token(user_id, kind)}"


def _footer() -> str:
    return FOOTER.format(settings=f"{_base()}/notifications/settings")


def _stop_line(user_id: int, kind: str) -> str:
    return f"「{KIND_LABELS[kind]}」のメールを止める: {unsubscribe_url(user_id, kind)}"


def queue_immediate(notes: list[Notification], now: datetime) -> int:
    """One mail per notification, to people who chose "すぐにメール" for its kind."""
    if not notes or not mail_configured():
        return 0
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({n.user_id for n in notes}), User.active.is_(True)))}
    queued = 0
    for note in notes:
        user = users.get(note.user_id)
        if user is None:
            continue
        body = (f"{user.name} 様\n\n{note.text}\n{absolute(note.url)}\n\n"
                f"{_stop_line(user.id, note.kind)}\n{_footer()}")
        enqueue_mail(MAIL_IMMEDIATE, user.email, f"【自治体DX研修】{KIND_LABELS[note.kind]}",
                     body, now=now)
        note.mailed_at = now
        queued += 1
    db.session.flush()
    return queued


def digest_cutoff(now: datetime) -> datetime | None:
    """Today's 7:00 in Tokyo once it has passed, else None (no digest yet today)."""
    local = now.astimezone(TOKYO)
    cutoff = datetime.combine(local.date(), DIGEST_AT, tzinfo=TOKYO)
    return cutoff if local >= cutoff else None


def queue_digests(now: datetime) -> int:
    """Queue one digest mail per person with unread, unmailed notifications from before
    today's 7:00 whose kind they get by daily digest; returns how many mails. Idempotent:
    each notification is marked mailed in the same transaction as its mail."""
    cutoff = digest_cutoff(now)
    if cutoff is None:
        return 0
    setting = NotificationSetting
    rows = db.session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .outerjoin(setting, and_(setting.user_id == Notification.user_id,
                                 setting.kind == Notification.kind))
        .where(Notification.mailed_at.is_(None), Notification.read.is_(False),
               Notification.created_at < cutoff,
               Notification.created_at >= cutoff - DIGEST_WINDOW,
               User.active.is_(True),
               or_(setting.id.is_(None), and_(setting.enabled.is_(True),
                                              setting.mail == "digest")))
        .order_by(Notification.user_id, Notification.id)).all()
    by_user: dict[int, tuple[User, list[Notification]]] = defaultdict(lambda: (None, []))
    for note, user in rows:
        by_user[user.id] = (user, by_user[user.id][1] + [note])
    day = f"{cutoff.month}月{cutoff.day}日"
    for user, notes in by_user.values():
        lines = [f"{user.name} 様", "", f"{day}までのお知らせが{len(notes)}件あります。", ""]
        for note in notes:
            lines += [f"・{note.text}", f"  {absolute(note.url)}"]
            note.mailed_at = now
        lines += ["", f"お知らせ一覧: {_base()}/notifications", ""]
        lines += [_stop_line(user.id, kind) for kind in dict.fromkeys(n.kind for n in notes)]
        enqueue_mail(MAIL_DIGEST, user.email,
                     f"【自治体DX研修】お知らせ{len(notes)}件（{day}）",
                     "\n".join(lines) + "\n" + _footer(), now=now)
    db.session.flush()
    return len(by_user)
