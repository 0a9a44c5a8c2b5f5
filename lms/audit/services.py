"""record(): the one way a change is written to the audit log, and reading it back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from lms.audit.models import AuditEntry
from lms.auth.models import User
from lms.extensions import db

# Japanese labels for the actions; other domains add theirs with register_action()
# (retro phases: "retro.phase", proposal reviews: "proposal.review" are reserved for them).
ACTION_LABELS: dict[str, str] = {
    "cohort.create": "研修の作成",
    "cohort.update": "研修の概要の編集",
    "cohort.archive": "研修のアーカイブ",
    "cohort.unarchive": "アーカイブの解除",
    "cohort.staff": "主催者・講師の追加",
    "session.update": "回の日程・内容の編集",
    "team.move": "チームの移動",
    "team.form": "チームの自動編成",
    "enrolment.import": "受講者の登録（CSV）",
    "homework.create": "宿題の追加",
    "homework.update": "宿題の編集",
    "homework.delete": "宿題の削除",
    "homework.feedback": "宿題へのフィードバック",
    "export.download": "エクスポート",
    "password_link.issue": "パスワード設定リンクの発行",
    "invite_links.download": "招待リンクの一括発行",
    "retro.phase": "ふりかえりのフェーズ変更",
    "proposal.review": "提案書の講評",
    "case.update": "事例の登録・編集",
    "case.remove": "事例の登録解除",
}


def register_action(action: str, label: str) -> None:
    """Hook for domains built later (retros, proposals, surveys): name a new action."""
    ACTION_LABELS.setdefault(action, label)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _plain(value):
    """JSON-safe copy of a value (dates as ISO text)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(obj, fields: Iterable[str]) -> dict:
    """The named attributes of an object, JSON-safe: the before/after of a change."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(actor: User | None, action: str, target=None, before: dict | None = None,
           after: dict | None = None, *, cohort_id: int | None = None,
           label: str = "") -> AuditEntry | None:
    """Add one audit entry to the current transaction (the caller commits with its change).

    `target` is a model instance (its table and id are noted, and its cohort unless
    cohort_id is given). Only the fields that changed are kept; nothing changed → None."""
    if before is not None and after is not None:
        changed = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
        if not changed:
            return None
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    if cohort_id is None and target is not None:
        cohort_id = (target.id if getattr(target, "__tablename__", "") == "cohorts"
                     else getattr(target, "cohort_id", None))
    entry = AuditEntry(
        cohort_id=cohort_id,
        actor_id=actor.id if actor is not None else None,
        actor_label=f"{actor.name} <{actor.email}>" if actor is not None else "（システム）",
        action=action,
        target_type=getattr(target, "__tablename__", "") if target is not None else "",
        target_id=str(getattr(target, "id", "") or "") if target is not None else "",
        target_label=(label or "")[:300],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class AuditFilter:
    action: str = ""
    actor: str = ""  # part of the name or email
    since: date | None = None
    until: date | None = None


def _filtered(cohort_id: int, flt: AuditFilter) -> Select:
    from datetime import time, timedelta
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Tokyo")
    query = select(AuditEntry).where(AuditEntry.cohort_id == cohort_id)
    if flt.action:
        query = query.where(AuditEntry.action == flt.action)
    if flt.actor:
        query = query.where(AuditEntry.actor_label.contains(flt.actor.strip()))
    if flt.since:
        query = query.where(AuditEntry.created_at >= datetime.combine(
            flt.since, time(), tzinfo=tz).astimezone(UTC))
    if flt.until:
        query = query.where(AuditEntry.created_at < datetime.combine(
            flt.until + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC))
    return query


def list_entries(cohort_id: int, flt: AuditFilter, *, page: int = 1, per_page: int = 50):
    """A page of a cohort's log, newest first (db.paginate)."""
    query = _filtered(cohort_id, flt).order_by(AuditEntry.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def iter_entries(cohort_id: int, flt: AuditFilter | None = None,
                 batch: int = 1000) -> Iterator[AuditEntry]:
    """Every matching entry, oldest first, read in batches (exports)."""
    query = (_filtered(cohort_id, flt or AuditFilter()).order_by(AuditEntry.id)
             .options(selectinload(AuditEntry.actor))
             .execution_options(yield_per=batch))
    yield from db.session.scalars(query)
