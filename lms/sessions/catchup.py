"""Catch-up for those who missed (or partly missed) a session: ticking off its tasks."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from lms.errors import ValidationError
from lms.extensions import db
from lms.sessions.models import Attendance, CatchupProgress, WorkshopSession


def needs_catchup(attendance: Attendance | None) -> bool:
    return attendance is not None and attendance.status in ("absent", "partial")


def ticked_tasks(ws: WorkshopSession, user_id: int) -> set[int]:
    return set(db.session.scalars(select(CatchupProgress.task_index).where(
        CatchupProgress.session_id == ws.id, CatchupProgress.user_id == user_id)))


def set_ticked_tasks(ws: WorkshopSession, user_id: int, done: set[int]) -> set[int]:
    """Make exactly `done` (task positions) the person's ticked tasks for this session."""
    if any(i < 0 or i >= len(ws.catchup_tasks) for i in done):
        raise ValidationError("キャッチアップの項目が正しくありません。")
    current = ticked_tasks(ws, user_id)
    if current - done:
        db.session.execute(delete(CatchupProgress).where(
            CatchupProgress.session_id == ws.id, CatchupProgress.user_id == user_id,
            CatchupProgress.task_index.in_(current - done)))
    for index in sorted(done - current):
        db.session.add(CatchupProgress(session_id=ws.id, user_id=user_id, task_index=index))
    db.session.flush()
    return done


def progress_by_user(ws: WorkshopSession) -> dict[int, int]:
    """How many catch-up tasks each person has ticked, in one query."""
    return dict(db.session.execute(
        select(CatchupProgress.user_id, func.count()).where(CatchupProgress.session_id == ws.id)
        .group_by(CatchupProgress.user_id)).all())
