"""Role helpers every domain's access rules build on: membership, role, team."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.cohorts.models import Cohort, CohortMunicipality, Membership
from lms.errors import Forbidden, NotFound
from lms.extensions import db

STAFF_ROLES = ("organizer", "trainer")


def membership_for(user: User, cohort: Cohort) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(select(Membership).where(
        Membership.cohort_id == cohort.id, Membership.user_id == user.id))


def team_id_for(membership: Membership | None) -> int | None:
    """The team a participant works in, through their municipality."""
    if membership is None or membership.municipality_code is None:
        return None
    return db.session.scalar(select(CohortMunicipality.team_id).where(
        CohortMunicipality.cohort_id == membership.cohort_id,
        CohortMunicipality.municipality_code == membership.municipality_code))


def is_staff(membership: Membership | None) -> bool:
    return membership is not None and membership.role in STAFF_ROLES


def get_cohort_for(user: User, slug: str) -> tuple[Cohort, Membership]:
    """The cohort and the user's membership; a cohort the user is not in is NotFound."""
    cohort = db.session.scalar(select(Cohort).where(Cohort.slug == slug))
    if cohort is None:
        raise NotFound("研修が見つかりません。")
    membership = membership_for(user, cohort)
    if membership is None:
        raise NotFound("研修が見つかりません。")
    return cohort, membership


def require_role(membership: Membership, *roles: str) -> None:
    """Raise Forbidden unless the membership has one of the roles."""
    if membership.role not in roles:
        raise Forbidden("この操作を行う権限がありません。")


def users_beyond_reach(organizer: User, user_ids: list[int]) -> set[int]:
    """Of these users, those an organizer may NOT hand a password link to.

    A password link takes over the whole account, in every cohort it belongs to. So an
    organizer may issue one only for people whose every membership is in a cohort they
    organize, who organize no cohort themselves, and who are not the organizer."""
    if not user_ids:
        return set()
    own = set(db.session.scalars(select(Membership.cohort_id).where(
        Membership.user_id == organizer.id, Membership.role == "organizer")))
    rows = db.session.execute(select(Membership.user_id, Membership.cohort_id, Membership.role)
                              .where(Membership.user_id.in_(user_ids))).all()
    beyond = {organizer.id} & set(user_ids)
    for user_id, cohort_id, role in rows:
        if role == "organizer" or cohort_id not in own:
            beyond.add(user_id)
    return beyond


def can_create_cohorts(user: User) -> bool:
    """Whoever organizes a cohort may start another (the first one comes from the CLI)."""
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.role == "organizer").limit(1)) is not None
