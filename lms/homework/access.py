"""Who owns, reads and reviews homework submissions, drafts and files."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.cohorts.access import (
    get_cohort_for,
    is_participant,
    is_staff,
    membership_for,
    require_staff,
    team_id_for,
)
from lms.cohorts.models import Cohort, Membership
from lms.errors import Forbidden, NotFound, ValidationError
from lms.extensions import db
from lms.homework.models import Homework, Submission, SubmissionFile

NOT_FOUND_HOMEWORK = "宿題が見つかりません。"
NOT_FOUND_SUBMISSION = "提出物が見つかりません。"
NOT_FOUND_FILE = "ファイルが見つかりません。"


def owner_key(kind: str, membership: Membership | None,
              team_id: int | None = None) -> str | None:
    """Who owns work of this kind for this person: "u:…", "m:…" or "t:…"; None if no one."""
    if not is_participant(membership):
        return None
    if kind == "individual":
        return f"u:{membership.user_id}"
    if kind == "municipality":
        return f"m:{membership.municipality_code}" if membership.municipality_code else None
    if team_id is None:
        team_id = team_id_for(membership)
    return f"t:{team_id}" if team_id is not None else None


def require_owner_key(homework: Homework, membership: Membership) -> str:
    """The caller's owner key for submitting or drafting; Forbidden for staff."""
    if not can_submit(membership):
        raise Forbidden("宿題を提出できるのは受講者です。")
    key = owner_key(homework.kind, membership)
    if key is None:
        what = "自治体" if homework.kind == "municipality" else "チーム"
        raise ValidationError(f"所属する{what}が決まっていないため、この宿題はまだ提出できません。")
    return key


def can_submit(membership: Membership | None) -> bool:
    """Participants submit and keep drafts; staff review."""
    return is_participant(membership)


def can_read_submission(membership: Membership | None, submission: Submission) -> bool:
    """Staff of the cohort, and whoever shares the owner (person, municipality or team)."""
    homework = submission.homework
    if membership is None or membership.cohort_id != homework.cohort_id:
        return False
    if is_staff(membership):
        return True
    return owner_key(homework.kind, membership) == submission.owner_key


def get_homework_for(user: User, homework_id: int) -> tuple[Homework, Membership]:
    """The homework and the caller's membership in its cohort; NotFound for non-members."""
    homework = db.session.get(Homework, homework_id)
    membership = membership_for(user, homework.cohort_id) if homework else None
    if homework is None or membership is None:
        raise NotFound(NOT_FOUND_HOMEWORK)
    return homework, membership


def get_homework_in_cohort(cohort: Cohort, homework_id: int) -> Homework:
    homework = db.session.get(Homework, homework_id)
    if homework is None or homework.cohort_id != cohort.id:
        raise NotFound(NOT_FOUND_HOMEWORK)
    return homework


def get_submission_for(user: User, submission_id: int) -> tuple[Submission, Membership]:
    """The submission if the caller may read it; NotFound otherwise (never 403)."""
    submission = db.session.scalar(
        select(Submission).where(Submission.id == submission_id).options(
            selectinload(Submission.files), selectinload(Submission.homework)))
    if submission is None:
        raise NotFound(NOT_FOUND_SUBMISSION)
    membership = membership_for(user, submission.homework.cohort_id)
    if not can_read_submission(membership, submission):
        raise NotFound(NOT_FOUND_SUBMISSION)
    return submission, membership


def get_file_for(user: User, file_id: int) -> SubmissionFile:
    """The attachment if the caller may read its submission; NotFound otherwise."""
    stored = db.session.get(SubmissionFile, file_id)
    if stored is None:
        raise NotFound(NOT_FOUND_FILE)
    submission = stored.submission
    membership = membership_for(user, submission.homework.cohort_id)
    if not can_read_submission(membership, submission):
        raise NotFound(NOT_FOUND_FILE)
    return stored


def get_homework_for_staff(user: User, slug: str, homework_id: int
                           ) -> tuple[Cohort, Membership, Homework]:
    """For the trainers' pages: the cohort, the caller's membership and the homework;
    NotFound for strangers or another cohort's homework, Forbidden for participants."""
    cohort, membership = get_cohort_for(user, slug)
    require_staff(membership)
    return cohort, membership, get_homework_in_cohort(cohort, homework_id)
