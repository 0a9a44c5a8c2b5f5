"""The notification tests start from the demo cohort with no notifications yet."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from lms.notifications.models import Notification


@pytest.fixture
def demo(db):
    from lms.demo import build_demo
    from lms.homework.models import HomeworkDraft, Submission, SubmissionFile
    from tests.conftest import PASSWORD

    cohort = build_demo(PASSWORD).cohort
    for model in (SubmissionFile, Submission, HomeworkDraft, Notification):
        db.session.execute(delete(model))
    db.session.commit()
    return cohort
