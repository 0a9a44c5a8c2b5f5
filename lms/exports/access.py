"""Who may export: a cohort's organizers (trainers and participants are refused)."""

from __future__ import annotations

from lms.auth.models import User
from lms.cohorts.access import get_cohort_for, require_role
from lms.cohorts.models import Cohort


def get_cohort_for_export(user: User, slug: str) -> Cohort:
    """The cohort if the user organizes it: not a member → NotFound, other roles → Forbidden."""
    cohort, membership = get_cohort_for(user, slug)
    require_role(membership, "organizer")
    return cohort
