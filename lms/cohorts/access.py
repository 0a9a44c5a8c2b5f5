"""Role helpers every domain's access rules build on: membership, role, team."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.cache import attach, cached, snapshot
from lms.cohorts.models import Cohort, CohortMunicipality, Membership
from lms.db import per_request, remember_per_request
from lms.errors import Forbidden, NotFound
from lms.extensions import db

STAFF_ROLES = ("organizer", "trainer")
STAFF_ONLY = "この操作を行う権限がありません（講師・主催者だけが行えます）。"
ORGANIZER_ONLY = "この操作を行う権限がありません（主催者だけが行えます）。"


def membership_for(user: User, cohort: Cohort | int) -> Membership | None:
    """The user's membership in the cohort (a Cohort or its id); None for strangers.
    The one membership lookup every domain's loaders use."""
    if user is None or not user.is_authenticated:
        return None
    cohort_id = cohort if isinstance(cohort, int) else cohort.id
    user_id = user.id
    # Kept (lms.cache) until a membership is written.
    return per_request(("membership", user_id, cohort_id), lambda: attach(Membership, cached(
        "cohorts.membership", (user_id, cohort_id), lambda: snapshot(db.session.scalar(
            select(Membership).where(Membership.cohort_id == cohort_id,
                                     Membership.user_id == user_id))),
        deps=("memberships",), keep=lambda row: row is not None)))


def team_id_for(membership: Membership | None) -> int | None:
    """The team a participant works in, through their municipality."""
    if membership is None or membership.municipality_code is None:
        return None
    cohort_id, code = membership.cohort_id, membership.municipality_code
    # Kept (lms.cache) until a municipality moves between teams (cohort_municipalities).
    return per_request(("team_id", cohort_id, code), lambda: cached(
        "cohorts.team_id", (cohort_id, code), lambda: db.session.scalar(
            select(CohortMunicipality.team_id).where(
                CohortMunicipality.cohort_id == cohort_id,
                CohortMunicipality.municipality_code == code)),
        deps=("cohort_municipalities",)))


# --- Role predicates: the only place that compares roles ------------------------------------

def is_staff(membership: Membership | None) -> bool:
    """Trainers and organizers: they run the cohort and see every team."""
    return membership is not None and membership.role in STAFF_ROLES


def is_staff_anywhere(user: User) -> bool:
    """A trainer or organizer of at least one cohort."""
    return db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.role.in_(STAFF_ROLES)).limit(1)) is not None


def is_organizer(membership: Membership | None) -> bool:
    return membership is not None and membership.role == "organizer"


def is_participant(membership: Membership | None) -> bool:
    return membership is not None and membership.role == "participant"


def can_manage_enrolment(membership: Membership | None) -> bool:
    return is_organizer(membership)


def require_staff(membership: Membership | None, message: str = STAFF_ONLY) -> None:
    """The one staff check: Forbidden unless trainer or organizer."""
    if not is_staff(membership):
        raise Forbidden(message)


def require_organizer(membership: Membership | None, message: str = ORGANIZER_ONLY) -> None:
    if not is_organizer(membership):
        raise Forbidden(message)


def require_role(membership: Membership | None, *roles: str) -> None:
    """Kept for the domains written before require_staff/require_organizer (retros, surveys,
    proposals, console …): prefer those, or a named predicate from the domain's access.py."""
    if membership is None or membership.role not in roles:
        raise Forbidden("この操作を行う権限がありません。")


def get_cohort_for(user: User, slug: str) -> tuple[Cohort, Membership]:
    """The cohort and the user's membership; a cohort the user is not in is NotFound.
    Both rows are kept (lms.cache) until a cohort or membership is written."""
    if not user.is_authenticated or len(slug) > 200:
        raise NotFound("研修が見つかりません。")
    user_id = user.id

    def read() -> dict:
        cohort = db.session.scalar(select(Cohort).where(Cohort.slug == slug))
        membership = None if cohort is None else db.session.scalar(
            select(Membership).where(Membership.cohort_id == cohort.id,
                                     Membership.user_id == user_id))
        return {"cohort": snapshot(cohort), "membership": snapshot(membership)}

    found = cached("cohorts.access", (user_id, slug), read, deps=("cohorts", "memberships"),
                   keep=lambda f: f["membership"] is not None)
    cohort, membership = attach(Cohort, found["cohort"]), attach(Membership,
                                                                 found["membership"])
    if cohort is None or membership is None:
        raise NotFound("研修が見つかりません。")
    remember_per_request(("membership", user_id, cohort.id), membership)
    return cohort, membership


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
