"""Cohorts, municipalities and enrolment of people into a cohort."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.audit.services import record
from lms.auth.models import User
from lms.auth.services import create_invite, normalise_email
from lms.cohorts.models import (
    ROLE_LABELS,
    Cohort,
    CohortMunicipality,
    Membership,
    Municipality,
)
from lms.cohorts.municipalities import load_tokyo_municipalities
from lms.cohorts.signals import enrolment_imported
from lms.errors import ValidationError
from lms.extensions import db


def sync_municipalities() -> int:
    """Insert or update Tokyo's municipalities from the bundled CSV; returns how many."""
    records = load_tokyo_municipalities()
    existing = {m.code: m for m in db.session.scalars(select(Municipality))}
    for rec in records:
        row = existing.get(rec.code) or Municipality(code=rec.code)
        row.name, row.kind, row.prefecture = rec.name, rec.kind, "東京都"
        row.population, row.population_date, row.source = (
            rec.population, rec.population_date, rec.source)
        db.session.add(row)
    db.session.flush()
    return len(records)


def municipality_lookup() -> dict[str, str]:
    """Municipality name → code, for matching names people type in Excel lists."""
    return {m.name: m.code for m in db.session.scalars(select(Municipality))}


def new_cohort(*, slug: str, title: str, course_slug: str, starts_on: date,
               description_md: str = "", team_size: int = 5,
               timezone: str = "Asia/Tokyo") -> Cohort:
    """Create an empty cohort; raises ValidationError when the slug is taken or malformed."""
    if not slug or not all(c.isalnum() and c.isascii() or c in "-_" for c in slug):
        raise ValidationError("スラッグは半角英数字・ハイフン・下線で指定してください。")
    if db.session.scalar(select(Cohort.id).where(Cohort.slug == slug)) is not None:
        raise ValidationError(f"スラッグ「{slug}」の研修はすでにあります。")
    cohort = Cohort(slug=slug, title=title, course_slug=course_slug, starts_on=starts_on,
                    description_md=description_md, team_size=team_size, timezone=timezone)
    db.session.add(cohort)
    db.session.flush()
    return cohort


def ensure_user(email: str, name: str, password_hash: str | None = None) -> User:
    """The user with this email, created (without a usable password) when new."""
    email = normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
    return user


def enrol(cohort: Cohort, user: User, role: str, municipality_code: str | None = None,
          department: str = "") -> Membership:
    """Add or update a person's membership; a participant's municipality joins the cohort."""
    membership = db.session.scalar(select(Membership).where(
        Membership.cohort_id == cohort.id, Membership.user_id == user.id))
    if membership is None:
        membership = Membership(cohort_id=cohort.id, user_id=user.id, role=role)
        db.session.add(membership)
    membership.role = role
    membership.municipality_code = municipality_code
    membership.department = department or ""
    if municipality_code:
        enrol_municipalities(cohort, [municipality_code])
    db.session.flush()
    return membership


def enrol_municipalities(cohort: Cohort, codes: Iterable[str]) -> None:
    have = set(db.session.scalars(select(CohortMunicipality.municipality_code).where(
        CohortMunicipality.cohort_id == cohort.id)))
    for code in codes:
        if code not in have:
            db.session.add(CohortMunicipality(cohort_id=cohort.id, municipality_code=code))
            have.add(code)
    db.session.flush()


def import_enrolment(cohort: Cohort, rows, invite_days: int = 14,
                     issued_by: User | None = None) -> list[tuple[User, str]]:
    """Enrol every parsed CSV row; returns (user, invitation token) for each new account.
    Sends `enrolment_imported` (a changed municipality or role changes who is in which team).
    The organizer who imports (`issued_by`) is written to the audit log."""
    invites, memberships = [], []
    if issued_by is not None:
        record(issued_by, "enrolment.import", cohort, after={
            "rows": len(rows), "people": [f"{r.name} <{r.email}> {r.role}" for r in rows]},
            label=f"{len(rows)}人")
    for row in rows:
        user = ensure_user(row.email, row.name)
        memberships.append(enrol(cohort, user, row.role, row.municipality_code, row.department))
        if not user.password_hash:
            invites.append((user, create_invite(user, days=invite_days, issued_by=issued_by)))
    enrolment_imported.send(cohort, memberships=memberships)
    return invites


def memberships_of(user: User) -> list[tuple[Membership, int | None]]:
    """Every membership of the user (cohort and municipality loaded) with its team id."""
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id)
        .options(selectinload(Membership.cohort), selectinload(Membership.municipality))
        .order_by(Membership.id)).all()
    team_rows = db.session.execute(
        select(CohortMunicipality.cohort_id, CohortMunicipality.municipality_code,
               CohortMunicipality.team_id)
        .where(CohortMunicipality.cohort_id.in_([m.cohort_id for m in memberships]))).all()
    teams = {(c, code): team for c, code, team in team_rows}
    return [(m, teams.get((m.cohort_id, m.municipality_code))) for m in memberships]


def role_counts(cohort_id: int) -> dict[str, int]:
    """Japanese role label → how many people hold it in the cohort."""
    rows = db.session.execute(select(Membership.role, func.count()).where(
        Membership.cohort_id == cohort_id).group_by(Membership.role)).all()
    return {ROLE_LABELS[role]: n for role, n in rows}


def cohort_members(cohort_id: int) -> list[Membership]:
    """Everyone enrolled, with user and municipality loaded, by role then municipality."""
    return list(db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort_id)
        .options(selectinload(Membership.user), selectinload(Membership.municipality))
        .order_by(Membership.role, Membership.municipality_code, Membership.id)))


def team_participant_ids(cohort_id: int, team_id: int) -> list[int]:
    """Ids of the participants who work in a team (through their municipality)."""
    team_codes = select(CohortMunicipality.municipality_code).where(
        CohortMunicipality.cohort_id == cohort_id, CohortMunicipality.team_id == team_id)
    return sorted(set(db.session.scalars(select(Membership.user_id).where(
        Membership.cohort_id == cohort_id, Membership.role == "participant",
        Membership.municipality_code.in_(team_codes)))))


def member_ids(cohort_id: int, *roles: str) -> list[int]:
    """Ids of the cohort's members with one of these roles."""
    return sorted(set(db.session.scalars(select(Membership.user_id).where(
        Membership.cohort_id == cohort_id, Membership.role.in_(roles)))))
