"""How channels react to what lower domains announce (connected by create_app)."""

from __future__ import annotations

from functools import partial

from lms.channels.live import reset_team_rooms, team_room_ids
from lms.channels.services import ensure_team_rooms
from lms.cohorts.signals import enrolment_imported
from lms.db import after_commit
from lms.extensions import db
from lms.teams.signals import teams_changed


def _reset_rooms_after_commit(cohort) -> None:
    # Open sockets re-check their access to the team rooms once the change is visible.
    after_commit(db.session, partial(reset_team_rooms, cohort.id, team_room_ids(cohort.id)))


def on_teams_changed(cohort, *, teams, **_extra) -> None:
    """Every team gets its room (named after it); sockets in the rooms re-join."""
    ensure_team_rooms(cohort, teams)
    _reset_rooms_after_commit(cohort)


def on_enrolment_imported(cohort, **_extra) -> None:
    """A changed municipality or role changes who may stay in which team room."""
    _reset_rooms_after_commit(cohort)


def connect_signals() -> None:
    """Idempotent: blinker keeps one connection per receiver."""
    teams_changed.connect(on_teams_changed)
    enrolment_imported.connect(on_enrolment_imported)
