"""The demo cohort shows homework, attendance and catch-up for the past sessions."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.demo import build_demo
from lms.homework.models import Homework, HomeworkDraft, Submission
from lms.sessions.models import Attendance, CatchupProgress
from tests.conftest import PASSWORD, login


def test_demo_has_progress_for_sessions_one_and_two(db, client):
    build_demo(PASSWORD)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Homework)) == 13
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 100
    assert db.session.scalar(select(func.count()).select_from(HomeworkDraft)) == 1
    assert db.session.scalar(select(func.count()).select_from(CatchupProgress)) == 5
    late = db.session.scalars(select(Submission).where(Submission.late)).all()
    assert len(late) == 1
    assert db.session.scalar(select(func.count()).select_from(Submission).where(
        Submission.review_status == "revise")) == 1

    login(client, "p01@example.jp")
    page = client.get("/c/tokyo-dx-2021/sessions/2").get_data(as_text=True)
    assert "キャッチアップ（欠席だった回）" in page and "1/4 完了" in page
    page = client.get("/").get_data(as_text=True)
    assert "宿題" in page and "あと" in page
    client.post("/logout")
    login(client, "p03@example.jp")
    assert "講師より：要修正" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(client, "trainer1@example.jp")
    matrix = client.get("/c/tokyo-dx-2021/homework/matrix").get_data(as_text=True)
    assert "16/25 提出" in matrix and "30/50 提出" in matrix
