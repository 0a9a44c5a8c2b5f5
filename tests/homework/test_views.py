"""Homework pages: the participant's page, submit with files, review, matrix, edit."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from sqlalchemy import func, select

from lms.homework.models import Homework, Submission
from tests.homework.helpers import EXE, PDF, homework


def submit(client, hw, body, files=(), cid="cid-1"):
    return client.post(f"/c/tokyo-dx-2021/homework/{hw.id}/submit", data={
        "body": body, "client_submission_id": cid,
        "files": [(io.BytesIO(c), n) for n, c in files]}, content_type="multipart/form-data")


def test_participant_page_submit_and_history(login_as, demo, db):
    hw = homework(demo, "s1_hearing")
    client = login_as("p01@example.jp")
    page = client.get(f"/c/tokyo-dx-2021/homework/{hw.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "業務ヒアリングと業務説明表" in text and "自治体ごと" in text
    assert "締切を" in text and "日過ぎています" in text  # session 1's homework is overdue
    assert 'src="/static/js/homework.js"' in text and "<script>" not in text
    assert 'for="body"' in text and 'for="files"' in text

    response = submit(client, hw, "**調べた**内容", [("説明表.pdf", PDF)])
    assert response.status_code == 302 and response.location.endswith("#history")
    text = client.get(response.location).get_data(as_text=True)
    assert "第1版を提出しました" in text and "<strong>調べた</strong>" in text
    assert "説明表.pdf" in text and "遅延" in text
    assert "再提出する（第2版）" in text


def test_refusals_keep_the_page_and_say_why(login_as, demo, db):
    hw = homework(demo, "s1_nayami")
    client = login_as("p01@example.jp")
    empty = submit(client, hw, "")
    assert empty.status_code == 422 and "本文を書くか" in empty.get_data(as_text=True)
    exe = submit(client, hw, "本文は残る", [("invoice.pdf", EXE)], "cid-2")
    text = exe.get_data(as_text=True)
    assert exe.status_code == 415 and "受け付けられない形式" in text and "本文は残る" in text
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_other_cohort_member_and_staff_views(login_as, demo, db, client):
    hw = homework(demo, "s1_hearing")
    login_as("trainer1@example.jp")
    text = client.get(f"/c/tokyo-dx-2021/homework/{hw.id}").get_data(as_text=True)
    assert "提出物を見る・講評する" in text and "提出する</button>" not in text
    assert submit(client, hw, "x").status_code == 403


def test_trainer_reviews_and_participant_sees_badge(login_as, demo, db, client):
    hw = homework(demo, "s1_hearing")
    login_as("p01@example.jp")
    submit(client, hw, "初版")
    sub_id = db.session.scalar(select(Submission.id))
    client.post("/logout")

    login_as("trainer1@example.jp")
    listing = client.get(f"/c/tokyo-dx-2021/homework/{hw.id}/submissions").get_data(as_text=True)
    assert "世田谷区" in listing and "第1版" in listing and "未講評" in listing
    assert listing.count("未提出") == 24
    page = client.get(f"/c/tokyo-dx-2021/submissions/{sub_id}")
    assert page.status_code == 200 and "講評する" in page.get_data(as_text=True)
    bad = client.post(f"/c/tokyo-dx-2021/submissions/{sub_id}", data={"feedback": "x"})
    assert bad.status_code == 400 and "状態を選んでください" in bad.get_data(as_text=True)
    saved = client.post(f"/c/tokyo-dx-2021/submissions/{sub_id}", data={
        "status": "revise", "feedback": "件数の**根拠**を追記してください"})
    assert saved.status_code == 302
    client.post("/logout")

    login_as("p02@example.jp")  # the colleague who shares the municipality's submission
    text = client.get(f"/c/tokyo-dx-2021/homework/{hw.id}").get_data(as_text=True)
    assert "講師からの講評（第1版）" in text and "講師より：要修正" in text
    assert "<strong>根拠</strong>" in text
    listing = client.get("/c/tokyo-dx-2021/homework").get_data(as_text=True)
    assert "講師より：要修正" in listing
    assert client.post(f"/c/tokyo-dx-2021/submissions/{sub_id}",
                       data={"status": "ok"}).status_code == 403
    client.post("/logout")
    login_as("p03@example.jp")
    assert client.get(f"/c/tokyo-dx-2021/submissions/{sub_id}").status_code == 404


def test_trainer_edits_homework_in_tokyo_time(login_as, demo, db):
    hw = homework(demo, "s3_case")
    client = login_as("trainer2@example.jp")
    assert client.get(f"/c/tokyo-dx-2021/homework/{hw.id}/edit").status_code == 200
    response = client.post(f"/c/tokyo-dx-2021/homework/{hw.id}/edit", data={
        "title": "事例を投稿する", "kind": "team", "instructions_md": "## 手順\n<script>x</script>",
        "due_date": "2030-01-10", "due_time": "17:00", "late_policy": "close"})
    assert response.status_code == 302
    db.session.expire_all()
    hw = db.session.get(Homework, hw.id)
    assert hw.due_at == datetime(2030, 1, 10, 8, 0, tzinfo=UTC)
    assert hw.kind == "team" and hw.late_policy == "close"
    assert "<script>" not in hw.instructions_html and "手順</h" in hw.instructions_html
    client.post("/logout")
    assert login_as("p01@example.jp").get(
        f"/c/tokyo-dx-2021/homework/{hw.id}/edit").status_code == 403


def test_kind_cannot_change_after_submissions(login_as, demo, db, client):
    hw = homework(demo, "s3_case")
    login_as("p01@example.jp")
    submit(client, hw, "事例")
    client.post("/logout")
    login_as("trainer1@example.jp")
    response = client.post(f"/c/tokyo-dx-2021/homework/{hw.id}/edit", data={
        "title": hw.title, "kind": "team", "instructions_md": "", "due_date": "2030-01-10",
        "due_time": "17:00", "late_policy": "accept"})
    assert response.status_code == 400 and "種類" in response.get_data(as_text=True)


def test_session_page_lists_its_homework(login_as, demo):
    text = login_as("p01@example.jp").get("/c/tokyo-dx-2021/sessions/1").get_data(as_text=True)
    assert "この回の宿題" in text and "チーム憲章と目標の第一案" in text


def test_oversized_file_through_the_page_is_413_and_nothing_stored(login_as, demo, db, app):
    import os

    app.config["MAX_UPLOAD_MB"] = 1
    hw = homework(demo, "s3_case")
    client = login_as("p01@example.jp")
    response = submit(client, hw, "本文", [("大きな資料.pdf", PDF + b"0" * (1024 * 1024))])
    text = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "「大きな資料.pdf」は大きすぎます。1ファイル1MBまでです。" in text
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
    folder = app.config["UPLOAD_FOLDER"]
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_participant_without_team_is_told_why(login_as, demo, db):
    from lms.cohorts.models import CohortMunicipality
    from tests.homework.helpers import membership

    code = membership(demo, "p01@example.jp").municipality_code
    cm = db.session.scalar(select(CohortMunicipality).where(
        CohortMunicipality.cohort_id == demo.id, CohortMunicipality.municipality_code == code))
    cm.team_id = None
    db.session.commit()
    hw = homework(demo, "s3_goal_kpi")
    client = login_as("p01@example.jp")
    text = client.get(f"/c/tokyo-dx-2021/homework/{hw.id}").get_data(as_text=True)
    assert "所属するチームが決まっていないため" in text
    assert submit(client, hw, "x").status_code == 422
