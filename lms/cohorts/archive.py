"""Archived cohorts are read-only: one guard on every flush refuses changes inside them.

Every write in the app goes through the ORM and a flush, so checking there covers pages, the
API, sockets and the CLI alike, including domains written later. An object belongs to a
cohort through its own `cohort_id` or by following its foreign keys (a reaction → its
message → its channel → the cohort). Reading state (channel read marks, notifications) and
the audit log stay writable so people can still read and organizers still export."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from lms.db import utcnow
from lms.errors import Forbidden

# Tables written while merely reading or exporting an archived cohort.
EXEMPT_TABLES = {"channel_reads", "audit_log", "notifications", "outbox_messages"}
# Foreign keys that never lead to a cohort.
NEUTRAL_TABLES = {"users", "municipalities"}
_CACHE_KEY = "lms_archived_cohort_ids"
_OFF_KEY = "lms_archive_guard_off"


class CohortArchived(Forbidden):
    code = "archived"


ARCHIVED_MESSAGE = ("この研修はアーカイブされているため、変更できません"
                    "（閲覧とエクスポートはできます）。")


def archive_cohort(cohort, when=None) -> None:
    """Mark the cohort finished; from the next flush on nothing in it may change."""
    cohort.archived_at = when or utcnow()


def unarchive_cohort(cohort) -> None:
    cohort.archived_at = None


@contextmanager
def guard_disabled(session):
    """Let a trusted bulk loader (cohort import) write into an archived cohort."""
    session.info[_OFF_KEY] = True
    try:
        yield
    finally:
        session.info.pop(_OFF_KEY, None)


def _archived_ids(session) -> set[int]:
    cached = session.info.get(_CACHE_KEY)
    if cached is None:
        from lms.cohorts.models import Cohort

        with session.no_autoflush:
            cached = set(session.connection().scalars(
                select(Cohort.__table__.c.id).where(Cohort.__table__.c.archived_at.isnot(None))))
        session.info[_CACHE_KEY] = cached
    return cached


def _forget(session, *_args) -> None:
    session.info.pop(_CACHE_KEY, None)


class _Resolver:
    """Finds the cohort of a row by following foreign keys, one small query per hop."""

    def __init__(self, session):
        self.session = session
        self.memo: dict[tuple[str, object], int | None] = {}

    def of_object(self, obj) -> int | None:
        mapper = inspect(obj).mapper
        table = mapper.local_table
        if table.name == "cohorts":
            return obj.id
        if "cohort_id" in table.c:
            value = getattr(obj, mapper.get_property_by_column(table.c.cohort_id).key)
            if value is not None:
                return value
        for fk in table.foreign_keys:
            ref = fk.column.table
            if ref.name in NEUTRAL_TABLES or ref is table:
                continue
            value = getattr(obj, mapper.get_property_by_column(fk.parent).key, None)
            if value is None:
                continue
            found = self.of_row(ref, fk.column, value, depth=0)
            if found is not None:
                return found
        return None

    def of_row(self, table, column, value, depth: int) -> int | None:
        if table.name == "cohorts":
            return value
        key = (table.name, value)
        if key in self.memo:
            return self.memo[key]
        result = None
        if depth < 5:
            fks = [fk for fk in table.foreign_keys
                   if fk.column.table.name not in NEUTRAL_TABLES and fk.column.table is not table]
            cols = [table.c.cohort_id] if "cohort_id" in table.c else [fk.parent for fk in fks]
            if cols:
                row = self.session.connection().execute(
                    select(*cols).where(column == value)).first()
                if row is not None:
                    if "cohort_id" in table.c:
                        result = row[0]
                    else:
                        for fk, fk_value in zip(fks, row, strict=True):
                            if fk_value is not None:
                                result = self.of_row(fk.column.table, fk.column, fk_value,
                                                     depth + 1)
                                if result is not None:
                                    break
        self.memo[key] = result
        return result


def _before_flush(session, _context, _instances) -> None:
    if session.info.get(_OFF_KEY):
        return
    archived = _archived_ids(session)
    touched = [*session.new, *session.dirty, *session.deleted]
    became = {}
    for obj in touched:
        if inspect(obj).mapper.local_table.name == "cohorts":
            history = inspect(obj).attrs.archived_at.history
            if history.has_changes() and obj.id is not None:
                became[obj.id] = obj.archived_at is not None
    if not archived:
        _apply(session, became)
        return
    resolver = _Resolver(session)
    with session.no_autoflush:
        for obj in touched:
            state = inspect(obj)
            table = state.mapper.local_table
            if table.name in EXEMPT_TABLES:
                continue
            if obj in session.dirty and not session.is_modified(obj):
                continue
            if table.name == "cohorts" and obj.id in archived:
                changed = {a.key for a in state.attrs if a.history.has_changes()}
                if changed <= {"archived_at"}:
                    continue
                raise CohortArchived(ARCHIVED_MESSAGE)
            if resolver.of_object(obj) in archived:
                raise CohortArchived(ARCHIVED_MESSAGE)
    _apply(session, became)


def _apply(session, became: dict[int, bool]) -> None:
    if not became:
        return
    cached = session.info.get(_CACHE_KEY)
    if cached is None:
        return
    for cohort_id, archived in became.items():
        (cached.add if archived else cached.discard)(cohort_id)


def install_archive_guard() -> None:
    """Listen on every ORM session (idempotent); create_app calls it."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_commit", _forget)
        event.listen(Session, "after_soft_rollback", _forget)


def require_writable(cohort) -> None:
    """For views that want to refuse early (before building a form) with the same message."""
    if cohort.archived:
        raise CohortArchived(ARCHIVED_MESSAGE)
