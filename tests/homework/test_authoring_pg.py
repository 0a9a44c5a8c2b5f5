"""On PostgreSQL: a submission arriving while a trainer removes the homework is never lost."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from lms.errors import ValidationError
from lms.extensions import db
from lms.homework import authoring, services
from lms.homework.models import Homework, Submission
from tests.conftest import PASSWORD
from tests.homework.helpers import homework, membership

pytestmark = pytest.mark.postgres


def test_removal_waits_for_a_submission_in_flight_and_then_refuses(pg_app):
    from lms.demo import build_demo

    cohort = build_demo(PASSWORD).cohort
    db.session.commit()
    hw_id, cohort_id = homework(cohort, "s3_case").id, cohort.id
    inserted, outcome = threading.Event(), {}

    def participant_submits():
        with pg_app.app_context():
            from lms.cohorts.models import Cohort

            hw = db.session.get(Homework, hw_id)
            m = membership(db.session.get(Cohort, cohort_id), "p01@example.jp")
            services.submit_homework(hw, m, m.user, body="同時の提出", uploads=[],
                                     client_submission_id=None, upload_folder="/nonexistent",
                                     max_mb=1, max_files=1)
            inserted.set()
            time.sleep(0.5)  # the trainer's removal is waiting on this transaction now
            db.session.commit()
            outcome["committed"] = True

    worker = threading.Thread(target=participant_submits)
    worker.start()
    assert inserted.wait(10)
    with pytest.raises(ValidationError) as refused:
        authoring.remove_homework(db.session.get(Homework, hw_id))
    db.session.rollback()
    worker.join(10)
    assert outcome == {"committed": True}
    assert refused.value.code == "has_submissions"
    assert db.session.get(Homework, hw_id) is not None
    assert db.session.scalar(select(func.count(Submission.id)).where(
        Submission.homework_id == hw_id)) == 1
