"""An opened survey reaches the cohort's participants (notification `survey_open`)."""

from __future__ import annotations

from lms.cohorts.services import member_ids
from lms.notifications.services import notify
from lms.surveys.models import Survey
from lms.surveys.signals import survey_opened


def notify_survey_opened(survey: Survey, *, actor=None, **_ignored) -> None:
    notify(member_ids(survey.cohort_id, "participant"), "survey_open",
           f"アンケート「{survey.title}」へのご回答をお願いします。", f"/surveys/{survey.id}",
           actor=actor, cohort_id=survey.cohort_id, dedupe_key=f"survey:{survey.id}")


def connect_signals() -> None:
    """Called by create_app; connecting twice is harmless."""
    survey_opened.connect(notify_survey_opened)
