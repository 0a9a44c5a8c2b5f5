"""The homework tests start from the demo cohort without its seeded progress."""

from __future__ import annotations

import pytest
from sqlalchemy import delete


@pytest.fixture
def demo(db):
    """The demo cohort with no submissions, drafts, attendance or catch-up yet, so each
    test states exactly what exists (tests/homework/test_demo.py covers the seeded data)."""
    from lms.demo import build_demo
    from lms.homework.models import HomeworkDraft, Submission, SubmissionFile
    from lms.sessions.models import Attendance, CatchupProgress
    from tests.conftest import PASSWORD

    cohort = build_demo(PASSWORD).cohort
    for model in (SubmissionFile, Submission, HomeworkDraft, Attendance, CatchupProgress):
        db.session.execute(delete(model))
    db.session.commit()
    return cohort
