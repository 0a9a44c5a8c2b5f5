"""A retro phase opening reaches the team whose board it is (notification `retro_phase`)."""

from __future__ import annotations

from lms.cohorts.services import team_participant_ids
from lms.extensions import db
from lms.notifications.services import notify
from lms.retros.models import PHASE_LABELS, RetroBoard
from lms.retros.signals import retro_phase_changed
from lms.sessions.models import WorkshopSession


def notify_phase_opened(board: RetroBoard, *, actor=None, new_phase: str, **_ignored) -> None:
    ws = db.session.get(WorkshopSession, board.session_id)
    label = ws.label if ws is not None else "研修"
    notify(team_participant_ids(board.cohort_id, board.team_id), "retro_phase",
           f"{label}のふりかえりが「{PHASE_LABELS[new_phase]}」になりました。",
           f"/retros/{board.id}", actor=actor, cohort_id=board.cohort_id,
           dedupe_key=f"retro:{board.id}:{new_phase}")


def connect_signals() -> None:
    """Called by create_app; connecting twice is harmless."""
    retro_phase_changed.connect(notify_phase_opened)
