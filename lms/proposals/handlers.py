"""How proposals react to what lower domains announce (connected by create_app)."""

from __future__ import annotations

from lms.proposals.services import create_missing_proposals
from lms.teams.signals import teams_changed


def on_teams_changed(cohort, **_extra) -> None:
    """Every team has its proposal from the moment it exists (pages also create a missing
    one on access)."""
    create_missing_proposals(cohort)


def connect_signals() -> None:
    """Idempotent: blinker keeps one connection per receiver."""
    teams_changed.connect(on_teams_changed)
