"""How retros react to what lower domains announce (connected by create_app)."""

from __future__ import annotations

from lms.cohorts.signals import cohort_created
from lms.retros.services import configure_retros, ensure_boards
from lms.teams.signals import teams_changed


def on_cohort_created(cohort, *, course, **_extra) -> None:
    """The cohort keeps its course's retro format (boards come once teams exist)."""
    configure_retros(cohort, course.retro)
    ensure_boards(cohort.id)


def on_teams_changed(cohort, **_extra) -> None:
    """Every team has a board for every session, open for writing."""
    ensure_boards(cohort.id)


def connect_signals() -> None:
    """Idempotent: blinker keeps one connection per receiver."""
    cohort_created.connect(on_cohort_created)
    teams_changed.connect(on_teams_changed)
