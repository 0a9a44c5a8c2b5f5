"""After submitting, the page says so plainly (version, time, files); resubmitting is a
secondary action, and a submitted item no longer says it is overdue."""

from __future__ import annotations

import io

from sqlalchemy import select

from tests.homework.helpers import PDF, homework


def test_after_submit_confirmation_and_no_overdue_text(login_as, demo, db):
    hw = homework(demo, "s1_hearing")  # session 1: past its deadline
    client = login_as("p01@example.jp")
    before = client.get(f"/c/tokyo-dx-2021/homework/{hw.id}").get_data(as_text=True)
    assert "日過ぎています" in before and "提出済み" not in before
    response = client.post(f"/c/tokyo-dx-2021/homework/{hw.id}/submit", data={
        "body": "ヒアリング結果です", "client_submission_id": "after-submit-1",
        "files": [(io.BytesIO(PDF), "説明表.pdf")]}, content_type="multipart/form-data",
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "✓</span> 提出済み：第1版" in page
    assert "締切後の提出：遅延" in page and "説明表.pdf" in page
    assert "講師の講評を待っています" in page
    assert "日過ぎています" not in page and "（提出済み）" in page
    # Resubmitting is folded away as a secondary action.
    assert '<details class="resubmit"><summary>' in page
    assert "内容を直して再提出する（第2版）" in page
    # The colleague of the same municipality sees the same.
    client.post("/logout")
    other = login_as("p02@example.jp").get(f"/c/tokyo-dx-2021/homework/{hw.id}")
    assert "提出済み：第1版" in other.get_data(as_text=True)


def test_returned_for_revision_keeps_the_form_open(login_as, demo, db):
    from lms.homework.models import Submission

    hw = homework(demo, "s1_nayami")
    client = login_as("p01@example.jp")
    client.post(f"/c/tokyo-dx-2021/homework/{hw.id}/submit", data={
        "body": "悩みです", "client_submission_id": "after-submit-2"},
        content_type="multipart/form-data")
    sub = db.session.scalars(select(Submission).where(Submission.homework_id == hw.id)).one()
    sub.review_status = "revise"
    db.session.commit()
    page = client.get(f"/c/tokyo-dx-2021/homework/{hw.id}").get_data(as_text=True)
    assert "修正の依頼があります" in page
    assert '<details class="resubmit">' not in page and "再提出する（第2版）" in page
