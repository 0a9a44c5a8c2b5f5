"""Who may see and change the cohort's teams (built on lms.cohorts.access)."""

from __future__ import annotations

from lms.cohorts.access import is_organizer, is_staff, require_organizer, require_staff
from lms.cohorts.models import Membership


def can_view_teams(membership: Membership | None) -> bool:
    """Staff see the whole team formation page."""
    return is_staff(membership)


def can_edit_teams(membership: Membership | None) -> bool:
    """Only the organizer forms teams and moves municipalities."""
    return is_organizer(membership)


def require_team_viewer(membership: Membership | None) -> None:
    require_staff(membership)


def require_team_editor(membership: Membership | None) -> None:
    require_organizer(membership)
