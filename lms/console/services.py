"""Creating a cohort from a course template with its staff, editing it, archiving it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from lms.audit.services import record, snapshot
from lms.auth.models import User
from lms.cohorts.archive import archive_cohort, unarchive_cohort
from lms.cohorts.models import Cohort, Membership
from lms.cohorts.services import enrol, ensure_user, sync_municipalities
from lms.config import ROOT
from lms.courses import COURSE_FILE, CourseError, load_course
from lms.errors import ValidationError
from lms.extensions import db
from lms.provisioning import create_cohort_from_course

COURSES_DIR = ROOT / "courses"


@dataclass(frozen=True)
class CourseChoice:
    key: str  # the directory name under courses/
    title: str
    path: Path


def course_choices(base: Path = COURSES_DIR) -> list[CourseChoice]:
    """Every loadable course template under courses/ (a broken one is left out)."""
    choices = []
    for path in sorted(p for p in base.iterdir() if (p / COURSE_FILE).is_file()):
        try:
            course = load_course(path)
        except CourseError:
            continue
        choices.append(CourseChoice(path.name, course.title, path))
    return choices


def add_staff(actor: User, cohort: Cohort, *, organizers: list[str],
              trainers: list[str]) -> list[Membership]:
    """Enrol people as organizers or trainers by email (accounts created without a password,
    they set one through an invitation link). A participant is not silently promoted."""
    added = []
    for role, emails in (("organizer", organizers), ("trainer", trainers)):
        for email in emails:
            user = ensure_user(email, email.split("@")[0])
            existing = db.session.scalar(select(Membership).where(
                Membership.cohort_id == cohort.id, Membership.user_id == user.id))
            if existing is not None and existing.role == "participant":
                raise ValidationError(f"{email} はこの研修の受講者です。"
                                      "受講者の登録ページで役割を変えてください。")
            if existing is not None and existing.role == "organizer":
                continue
            added.append(enrol(cohort, user, role))
    if added:
        record(actor, "cohort.staff", cohort, after={
            "organizers": [m.user.email for m in added if m.role == "organizer"],
            "trainers": [m.user.email for m in added if m.role == "trainer"]},
            label=cohort.title)
    return added


def create_cohort(actor: User, course_key: str, *, title: str, slug: str, starts_on: date,
                  organizers: list[str], trainers: list[str],
                  base: Path = COURSES_DIR) -> Cohort:
    """A new cohort from a course template; the actor becomes its first organizer.
    Raises ValidationError for an unknown template or a taken slug."""
    choice = next((c for c in course_choices(base) if c.key == course_key), None)
    if choice is None:
        raise ValidationError("そのコーステンプレートは見つかりません。")
    sync_municipalities()
    cohort = create_cohort_from_course(load_course(choice.path), slug=slug.strip(),
                                       title=title.strip(), starts_on=starts_on,
                                       organizer=actor)
    record(actor, "cohort.create", cohort, after={
        "slug": cohort.slug, "title": cohort.title, "course": choice.key,
        "starts_on": starts_on}, label=cohort.title)
    add_staff(actor, cohort, organizers=[e for e in organizers if e != actor.email],
              trainers=trainers)
    return cohort


def update_cohort(actor: User, cohort: Cohort, *, title: str, description_md: str) -> Cohort:
    """The overview text participants read on the cohort page, and its title."""
    fields = ("title", "description_md")
    before = snapshot(cohort, fields)
    cohort.title = title.strip()
    cohort.description_md = (description_md or "").replace("\r\n", "\n")
    db.session.flush()
    record(actor, "cohort.update", cohort, before, snapshot(cohort, fields), label=cohort.title)
    return cohort


def set_archived(actor: User, cohort: Cohort, archived: bool) -> Cohort:
    """Archive a finished cohort (read-only, still exportable) or undo it."""
    if archived == cohort.archived:
        return cohort
    if archived:
        archive_cohort(cohort)
    else:
        unarchive_cohort(cohort)
    record(actor, "cohort.archive" if archived else "cohort.unarchive", cohort,
           label=cohort.title)
    return cohort
