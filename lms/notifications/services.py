"""notify() for every feature, the reader's list and read marks, and per-kind settings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.db import utcnow
from lms.errors import BadRequest, ValidationError
from lms.extensions import db
from lms.notifications.kinds import DEFAULT_MAIL, KINDS, MAIL_CHOICES
from lms.notifications.models import Notification, NotificationSetting

MAX_TEXT = 500
MAX_URL = 500
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_IDS = 500
# Users whose unread count changed in this transaction; told over the socket after commit.
LIVE_KEY = "notifications_changed"


def _user_id(recipient: User | int) -> int:
    return recipient if isinstance(recipient, int) else recipient.id


def mark_changed(user_ids: Iterable[int]) -> None:
    """Remember users whose bell must update once this transaction commits (see live.py)."""
    db.session.info.setdefault(LIVE_KEY, set()).update(user_ids)


def settings_for(user_ids: list[int], kind: str) -> dict[int, NotificationSetting]:
    if not user_ids:
        return {}
    rows = db.session.scalars(select(NotificationSetting).where(
        NotificationSetting.user_id.in_(user_ids), NotificationSetting.kind == kind))
    return {row.user_id: row for row in rows}


def notify(recipients: Iterable[User | int], kind: str, text: str, url: str = "",
           actor: User | int | None = None, *, cohort_id: int | None = None,
           dedupe_key: str | None = None, now: datetime | None = None) -> list[Notification]:
    """One notification per recipient, never for the actor, nor for whoever turned the kind
    off. With `dedupe_key`, a recipient who already has one with that key gets nothing new
    (a job run twice notifies once). Urgent kinds (the user's choice) are queued as mail at
    once. Returns the notifications created now. Raises ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = now or utcnow()
    actor_id = _user_id(actor) if actor is not None else None
    ids = list(dict.fromkeys(_user_id(r) for r in recipients))
    ids = [i for i in ids if i != actor_id]
    if not ids:
        return []
    settings = settings_for(ids, kind)
    ids = [i for i in ids if settings.get(i) is None or settings[i].enabled]
    if dedupe_key is not None and ids:
        done = set(db.session.scalars(select(Notification.user_id).where(
            Notification.user_id.in_(ids), Notification.dedupe_key == dedupe_key)))
        ids = [i for i in ids if i not in done]
    text, url = text[:MAX_TEXT], url[:MAX_URL]
    created = []
    for user_id in ids:
        note = Notification(user_id=user_id, cohort_id=cohort_id, kind=kind, text=text,
                            url=url, read=False, created_at=now, dedupe_key=dedupe_key)
        if dedupe_key is None:
            db.session.add(note)
            created.append(note)
            continue
        try:  # a concurrent run of the same job took it a moment ago
            with db.session.begin_nested():
                db.session.add(note)
            created.append(note)
        except IntegrityError:
            pass
    db.session.flush()
    urgent = [n for n in created
              if (settings.get(n.user_id) and settings[n.user_id].mail == "immediate")]
    if urgent:
        from lms.notifications.mail import queue_immediate

        queue_immediate(urgent, now)
    mark_changed(n.user_id for n in created)
    return created


# --- Reading --------------------------------------------------------------------------------

def list_notifications(user: User, *, unread_only: bool = False,
                       limit: int = DEFAULT_LIMIT, before_id: int | None = None
                       ) -> list[Notification]:
    """The user's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read.is_(False))
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(db.session.scalars(query.order_by(Notification.id.desc())
                                   .limit(max(1, min(limit, MAX_LIMIT)))))


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read.is_(False))) or 0


def mark_read(user: User, ids: object = None, *, everything: bool = False) -> int:
    """Mark the user's notifications with these ids (or all) read; others' ids are ignored.
    Returns how many changed. Raises BadRequest for ids that are not a list of integers."""
    query = update(Notification).where(Notification.user_id == user.id,
                                       Notification.read.is_(False))
    if not everything:
        if not isinstance(ids, list) or any(
                isinstance(i, bool) or not isinstance(i, int) for i in ids):
            raise BadRequest("ids には通知IDの配列を指定してください。")
        if len(ids) > MAX_IDS:
            raise ValidationError(f"一度に既読にできるのは{MAX_IDS}件までです。")
        if not ids:
            return 0
        query = query.where(Notification.id.in_(ids))
    changed = db.session.execute(query.values(read=True)
                                 .execution_options(synchronize_session=False)).rowcount
    db.session.expire_all()
    if changed:
        mark_changed([user.id])
    return changed


def notification_to_dict(note: Notification) -> dict:
    return {"id": note.id, "kind": note.kind, "text": note.text, "url": note.url,
            "read": note.read, "created_at": note.created_at.isoformat()}


# --- Settings -------------------------------------------------------------------------------

def user_settings(user: User) -> dict[str, dict]:
    """Every kind with the user's choice: {"enabled": bool, "mail": none|digest|immediate}."""
    rows = {s.kind: s for s in db.session.scalars(select(NotificationSetting).where(
        NotificationSetting.user_id == user.id))}
    return {kind: {"enabled": rows[kind].enabled if kind in rows else True,
                   "mail": rows[kind].mail if kind in rows else DEFAULT_MAIL}
            for kind in KINDS}


def set_setting(user_id: int, kind: str, *, enabled: bool | None = None,
                mail: str | None = None) -> NotificationSetting:
    """Change one kind's setting; raises ValidationError for an unknown kind or mail choice."""
    if kind not in KINDS:
        raise ValidationError("通知の種類が正しくありません。")
    if mail is not None and mail not in MAIL_CHOICES:
        raise ValidationError("メールの設定が正しくありません。")
    row = db.session.scalar(select(NotificationSetting).where(
        NotificationSetting.user_id == user_id, NotificationSetting.kind == kind))
    if row is None:
        row = NotificationSetting(user_id=user_id, kind=kind, enabled=True, mail=DEFAULT_MAIL)
        db.session.add(row)
    if enabled is not None:
        row.enabled = enabled
    if mail is not None:
        row.mail = mail
    db.session.flush()
    return row


def save_settings(user: User, choices: dict[str, dict]) -> None:
    """Apply {kind: {"enabled", "mail"}} for every kind given."""
    for kind, choice in choices.items():
        set_setting(user.id, kind, enabled=bool(choice.get("enabled")),
                    mail=choice.get("mail") or DEFAULT_MAIL)
