"""Cohorts in the browser: create from a template, edit overview and sessions, archive."""

from __future__ import annotations

from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.cohorts.models import Cohort, Membership
from lms.sessions.models import WorkshopSession

NEW = {"course": "tokyo_dx_2021", "title": "多摩地域DX研修2027", "slug": "tama-dx-2027",
       "starts_on": "2027-10-01", "organizers": "org-b@example.jp",
       "trainers": "t-a@example.jp, t-b@example.jp"}


def test_organizer_creates_cohort_with_staff_and_the_audit_records_it(login_as, demo, db):
    client = login_as("organizer@example.jp")
    assert "新しい研修を作成" in client.get("/").get_data(as_text=True)
    page = client.get("/cohorts/new").get_data(as_text=True)
    assert "コーステンプレート" in page and "tokyo_dx_2021" in page
    response = client.post("/cohorts/new", data=NEW)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/tama-dx-2027/settings")
    cohort = db.session.scalar(select(Cohort).where(Cohort.slug == "tama-dx-2027"))
    assert cohort.title == "多摩地域DX研修2027"
    roles = {m.user.email: m.role for m in db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort.id))}
    assert roles == {"organizer@example.jp": "organizer", "org-b@example.jp": "organizer",
                     "t-a@example.jp": "trainer", "t-b@example.jp": "trainer"}
    sessions = db.session.scalars(select(WorkshopSession).where(
        WorkshopSession.cohort_id == cohort.id).order_by(WorkshopSession.number)).all()
    assert [s.number for s in sessions] == [1, 2, 3, 4, 5]
    assert sessions[0].starts_at.date().isoformat() == "2027-10-01"
    actions = [e.action for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.cohort_id == cohort.id).order_by(AuditEntry.id))]
    assert actions == ["cohort.create", "cohort.staff"]


def test_new_cohort_refuses_a_taken_slug_and_bad_emails(login_as, demo, db):
    client = login_as("organizer@example.jp")
    taken = client.post("/cohorts/new", data={**NEW, "slug": "tokyo-dx-2021"})
    assert taken.status_code == 400
    assert "すでにあります" in taken.get_data(as_text=True)
    bad = client.post("/cohorts/new", data={**NEW, "trainers": "not-an-email"})
    assert bad.status_code == 400 and "not-an-email" in bad.get_data(as_text=True)
    assert db.session.scalar(select(Cohort).where(Cohort.slug == "tama-dx-2027")) is None


def test_participants_and_trainers_may_not_create_or_edit_cohorts(login_as, demo, client):
    for email in ("p01@example.jp", "trainer1@example.jp"):
        login_as(email)
        assert client.get("/cohorts/new").status_code == 403
        assert client.post("/cohorts/new", data=NEW).status_code == 403
        assert client.get("/c/tokyo-dx-2021/settings").status_code == 403
        assert client.post("/c/tokyo-dx-2021/archive").status_code == 403
        client.post("/logout")


def test_organizer_edits_the_overview_participants_read(login_as, demo, client, db):
    login_as("organizer@example.jp")
    response = client.post("/c/tokyo-dx-2021/settings", data={
        "title": demo.title, "description_md": "## 今年の重点\n\n**窓口DX** に取り組みます。"})
    assert response.status_code == 302
    client.post("/logout")
    page = login_as("p05@example.jp").get("/c/tokyo-dx-2021/").get_data(as_text=True)
    assert "<strong>窓口DX</strong>" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cohort.update"))
    assert "窓口DX" in entry.after["description_md"]
    assert list(entry.after) == ["description_md"]  # only what changed


def test_trainer_edits_catchup_tasks_recording_and_summary_audited(login_as, demo, client, db):
    login_as("trainer1@example.jp")
    form = client.get("/c/tokyo-dx-2021/sessions/1/edit").get_data(as_text=True)
    assert "キャッチアップ項目" in form
    ws = db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.cohort_id == demo.id, WorkshopSession.number == 1))
    response = client.post("/c/tokyo-dx-2021/sessions/1/edit", data={
        "title": ws.title, "date": "2027-10-01", "start_time": "14:00", "end_time": "17:00",
        "meeting_url": "", "agenda_md": "当日の流れ", "materials_md": "- [スライド](https://example.jp/s1.pdf)",
        "recording_url": "https://example.jp/rec/1", "summary_md": "要約です",
        "catchup_text": "録画の前半を見る\n\nワークシートを記入する\n"})
    assert response.status_code == 302
    db.session.expire_all()
    assert ws.catchup_tasks == ["録画の前半を見る", "ワークシートを記入する"]
    assert ws.recording_url == "https://example.jp/rec/1"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.update"))
    assert entry.after["catchup_tasks"] == ["録画の前半を見る", "ワークシートを記入する"]
    assert entry.actor_label.startswith("講師 一郎")
    page = client.get("/c/tokyo-dx-2021/sessions/1").get_data(as_text=True)
    assert "ワークシートを記入する" in page and "録画を見る" in page


def test_archived_cohort_refuses_every_write_but_stays_readable(login_as, demo, client, db,
                                                                  token_for):
    login_as("organizer@example.jp")
    assert client.post("/c/tokyo-dx-2021/archive").status_code == 302
    page = client.get("/c/tokyo-dx-2021/").get_data(as_text=True)
    assert "アーカイブ済み" in page
    refused = client.post("/c/tokyo-dx-2021/settings", data={"title": "x", "description_md": ""})
    assert refused.status_code == 403 and "アーカイブ" in refused.get_data(as_text=True)
    db.session.rollback()
    client.post("/logout")
    # A trainer's session edit, a participant's chat post over the API: refused centrally.
    login_as("trainer1@example.jp")
    ws = db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.cohort_id == demo.id, WorkshopSession.number == 2))
    edit = client.post("/c/tokyo-dx-2021/sessions/2/edit", data={
        "title": "変更", "date": "2027-10-01", "start_time": "14:00", "end_time": "17:00"})
    assert edit.status_code == 403
    db.session.rollback()
    assert ws.title != "変更"
    client.post("/logout")
    headers = token_for("p01@example.jp")
    channels = client.get("/api/v1/cohorts/tokyo-dx-2021/channels", headers=headers).get_json()
    channel_id = next(c["id"] for c in channels if c["kind"] == "cohort"
                      and c["name"] == "DXの悩みごと")
    post = client.post(f"/api/v1/channels/{channel_id}/messages", headers=headers, json={
        "body": "アーカイブ後の投稿", "client_msg_id": "0b7e0a6c-1b57-4e8e-9d0e-0e6f7c1c1a01"})
    assert post.status_code == 403
    assert post.get_json()["error"]["code"] == "archived"
    db.session.rollback()
    read = client.get(f"/api/v1/channels/{channel_id}/messages", headers=headers)
    assert read.status_code == 200
    # Unarchiving opens it again; both are in the audit log.
    login_as("organizer@example.jp")
    assert client.post("/c/tokyo-dx-2021/unarchive").status_code == 302
    ok = client.post("/c/tokyo-dx-2021/settings", data={"title": demo.title,
                                                        "description_md": "再開"})
    assert ok.status_code == 302
    actions = [e.action for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.startswith("cohort."))
        .order_by(AuditEntry.id))]
    assert actions == ["cohort.archive", "cohort.unarchive", "cohort.update"]
