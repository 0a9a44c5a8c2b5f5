"""Cohorts' answers to signals of lower domains, connected when the app is built."""

from __future__ import annotations

from lms.auth.models import User
from lms.auth.signals import invite_redeeming, mfa_policy_asked
from lms.cohorts.access import is_staff_anywhere, users_beyond_reach
from lms.extensions import db


def _issuer_still_reaches(_invite, *, user_id: int, issued_by_id: int) -> bool:
    """A link an organizer issued works only while that organizer could issue it now."""
    issuer = db.session.get(User, issued_by_id)
    if issuer is None:
        return False
    return not users_beyond_reach(issuer, [user_id])


def _must_use_mfa(user: User) -> bool:
    """Trainers and organizers of any cohort must use multi-factor login (LMS_REQUIRE_MFA)."""
    return is_staff_anywhere(user)


def connect_signals() -> None:
    invite_redeeming.connect(_issuer_still_reaches)
    mfa_policy_asked.connect(_must_use_mfa)
