"""Who answers a survey and who reads its results; the loaders pages and API use."""

from __future__ import annotations

from lms.auth.models import User
from lms.cohorts.access import is_staff, membership_for
from lms.cohorts.models import Cohort, Membership
from lms.errors import Forbidden, NotFound
from lms.extensions import db
from lms.surveys.models import Survey

SURVEY_NOT_FOUND = "アンケートが見つかりません。"


def get_survey_for(user: User, survey_id: int) -> tuple[Survey, Membership]:
    """The survey and the caller's membership in its cohort; NotFound for outsiders."""
    survey = db.session.get(Survey, survey_id)
    membership = membership_for(user, db.session.get(Cohort, survey.cohort_id)) \
        if survey is not None else None
    if membership is None:
        raise NotFound(SURVEY_NOT_FOUND)
    return survey, membership


def can_read_results(membership: Membership) -> bool:
    return is_staff(membership)


def require_results_reader(membership: Membership) -> None:
    if not can_read_results(membership):
        raise Forbidden("アンケートの結果を見られるのは講師・主催者です。")


def require_respondent(membership: Membership) -> None:
    if membership.role != "participant":
        raise Forbidden("アンケートに回答するのは受講者です。")


def can_export(membership: Membership) -> bool:
    return membership.role == "organizer"


def require_exporter(membership: Membership) -> None:
    if not can_export(membership):
        raise Forbidden("フィードバックを出力できるのは主催者です。")
