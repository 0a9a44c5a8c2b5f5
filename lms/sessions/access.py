"""Who may schedule sessions and record attendance, and the session loader."""

from __future__ import annotations

from lms.auth.models import User
from lms.cohorts.access import get_cohort_for, is_staff, require_staff
from lms.cohorts.models import Cohort, Membership
from lms.sessions.models import WorkshopSession
from lms.sessions.services import get_session


def can_schedule_sessions(membership: Membership | None) -> bool:
    """Trainers and organizers edit a session's schedule, agenda and materials."""
    return is_staff(membership)


def can_record_attendance(membership: Membership | None) -> bool:
    return is_staff(membership)


def get_session_for(user: User, slug: str, number: int
                    ) -> tuple[Cohort, Membership, WorkshopSession]:
    """The cohort, the caller's membership and session `number`; NotFound for strangers."""
    cohort, membership = get_cohort_for(user, slug)
    return cohort, membership, get_session(cohort, number)


def get_session_for_staff(user: User, slug: str, number: int
                          ) -> tuple[Cohort, Membership, WorkshopSession]:
    """As get_session_for, Forbidden unless the caller may schedule it."""
    cohort, membership = get_cohort_for(user, slug)
    require_staff(membership)
    return cohort, membership, get_session(cohort, number)
