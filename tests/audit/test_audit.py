"""The audit log records each kind of change, in the change's transaction; organizers read,
filter and export it; others are refused."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.auth.models import User
from lms.cohorts.models import Membership
from lms.extensions import db
from lms.homework.models import Homework, Submission
from tests.exports.helpers import read_csv, read_xlsx


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def test_audit_records_team_moves_and_formation(login_as, demo):
    client = login_as("organizer@example.jp")
    assert client.post("/c/tokyo-dx-2021/teams/move",
                       data={"municipality": "131121", "team": ""}).status_code == 302
    move = entries("team.move")[-1]
    assert move.target_label == "世田谷区" and move.after == {"team": "未割り当て"}
    assert move.before["team"].startswith("チーム")
    client.post("/c/tokyo-dx-2021/teams/form", data={"count": "5"})
    formed = entries("team.form")[-1]
    assert len(formed.after) == 5 and "世田谷区" in str(formed.after)


def test_audit_records_enrolment_import_password_links_and_invites(login_as, demo):
    client = login_as("organizer@example.jp")
    csv_text = ("氏名,メールアドレス,自治体,所属,役割\r\n"
                "新人 太郎,new1@example.jp,世田谷区,DX推進課,受講者\r\n")
    response = client.post("/c/tokyo-dx-2021/enrolment",
                           data={"csv_file": (io.BytesIO(csv_text.encode()), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    imported = entries("enrolment.import")[-1]
    assert imported.after["rows"] == 1 and "new1@example.jp" in imported.after["people"][0]
    target = db.session.scalar(select(Membership).join(User).where(
        User.email == "p07@example.jp"))
    client.post(f"/c/tokyo-dx-2021/members/{target.id}/link")
    link = entries("password_link.issue")[-1]
    assert link.after == {"email": "p07@example.jp"} and link.cohort_id == demo.id
    client.post("/c/tokyo-dx-2021/invites.csv")
    invites = entries("invite_links.download")[-1]
    assert "new1@example.jp" in invites.after["emails"]
    # The link itself (a secret) is never written to the log.
    assert "/invite/" not in str([e.after for e in db.session.scalars(select(AuditEntry))])


def test_audit_records_homework_create_edit_delete_and_feedback(login_as, demo, client):
    login_as("trainer2@example.jp")
    response = client.post("/c/tokyo-dx-2021/homework/new?session=3", data={
        "session_number": "3", "title": "追加の調査", "kind": "individual",
        "instructions_md": "調べる", "due_date": "2030-01-10", "due_time": "17:00",
        "late_policy": "accept"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    created = entries("homework.create")[-1]
    assert created.after["title"] == "追加の調査" and created.actor_label.startswith("講師 花子")
    hw = db.session.scalar(select(Homework).where(Homework.title == "追加の調査"))
    client.post(f"/c/tokyo-dx-2021/homework/{hw.id}/edit", data={
        "title": "追加の調査（改）", "kind": "individual", "instructions_md": "調べる",
        "due_date": "2030-01-10", "due_time": "17:00", "late_policy": "close"})
    edited = entries("homework.update")[-1]
    assert edited.before == {"late_policy": "accept", "title": "追加の調査"}
    assert edited.after == {"late_policy": "close", "title": "追加の調査（改）"}
    client.post(f"/c/tokyo-dx-2021/homework/{hw.id}/delete")
    assert entries("homework.delete")[-1].before["title"] == "追加の調査（改）"
    sub = db.session.scalar(select(Submission).order_by(Submission.id))
    before = len(entries("homework.feedback"))
    client.post(f"/c/tokyo-dx-2021/submissions/{sub.id}", data={
        "status": "revise", "feedback": "根拠を追記してください"})
    feedback = entries("homework.feedback")
    assert len(feedback) == before + 1
    assert feedback[-1].after["feedback_md"] == "根拠を追記してください"


def test_audit_entry_is_rolled_back_with_a_refused_change(login_as, demo, client):
    login_as("organizer@example.jp")
    client.post("/c/tokyo-dx-2021/archive")
    db.session.rollback()
    count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    client.post("/logout")
    login_as("trainer1@example.jp")
    response = client.post("/c/tokyo-dx-2021/sessions/1/edit", data={
        "title": "変更", "date": "2030-01-10", "start_time": "14:00", "end_time": "17:00"})
    assert response.status_code == 403
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == count
    assert not entries("session.update")


def test_audit_page_filters_and_exports(login_as, demo):
    client = login_as("organizer@example.jp")
    client.post("/c/tokyo-dx-2021/teams/move", data={"municipality": "131121", "team": ""})
    page = client.get("/c/tokyo-dx-2021/audit").get_data(as_text=True)
    assert "操作ログ" in page and "チームの移動" in page and "宿題へのフィードバック" in page
    only = client.get("/c/tokyo-dx-2021/audit?action=team.move").get_data(as_text=True)
    assert "世田谷区" in only and "宿題へのフィードバック</td>" not in only
    nobody = client.get("/c/tokyo-dx-2021/audit?actor=存在しない人").get_data(as_text=True)
    assert "記録はありません" in nobody
    future = client.get("/c/tokyo-dx-2021/audit?since=2099-01-01").get_data(as_text=True)
    assert "記録はありません" in future
    rows = read_csv(client.get(
        "/api/v1/cohorts/tokyo-dx-2021/export/audit.csv?action=team.move").data)
    assert rows[0] == ["日時", "操作", "操作した人", "対象", "対象の種類", "対象ID", "変更前",
                       "変更後"]
    assert [r[1] for r in rows[1:]] == ["チームの移動"]
    assert '"team": "未割り当て"' in rows[1][7]
    sheet = read_xlsx(client.get("/api/v1/cohorts/tokyo-dx-2021/export/audit.xlsx").data)
    actions = [r[1].value for r in sheet.iter_rows(min_row=2)]
    assert "チームの移動" in actions and "エクスポート" in actions


def test_audit_page_is_refused_to_trainers_participants_and_outsiders(
        client, login_as, demo, make_cohort):
    for email in ("trainer1@example.jp", "p01@example.jp"):
        login_as(email)
        assert client.get("/c/tokyo-dx-2021/audit").status_code == 403
        client.post("/logout")
    make_cohort()
    from lms.auth.services import hash_password
    from tests.conftest import PASSWORD

    db.session.scalar(select(User).where(User.email == "org2@example.jp")).password_hash = \
        hash_password(PASSWORD)
    db.session.commit()
    login_as("org2@example.jp")
    assert client.get("/c/tokyo-dx-2021/audit").status_code == 404
