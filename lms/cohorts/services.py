"""Cohorts, municipalities and enrolment of people into a cohort."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from lms.audit.services import record
from lms.auth.models import User
from lms.auth.services import create_invite, normalise_email
from lms.cohorts.models import Cohort, CohortMunicipality, Membership, Municipality
from lms.cohorts.municipalities import load_tokyo_municipalities
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
                     actor: User | None = None) -> list[tuple[User, str]]:
    """Enrol every parsed CSV row; returns (user, invitation token) for each new account."""
    invites = []
    if actor is not None:
        record(actor, "enrolment.import", cohort, after={
            "rows": len(rows), "people": [f"{r.name} <{r.email}> {r.role}" for r in rows]},
            label=f"{len(rows)}人")
    for row in rows:
        user = ensure_user(row.email, row.name)
        enrol(cohort, user, row.role, row.municipality_code, row.department)
        if not user.password_hash:
            invites.append((user, create_invite(user, days=invite_days)))
    return invites
