"""Session pages, scheduling by trainers, refusals, and the .ics calendar."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from sqlalchemy import select

from lms.sessions.models import WorkshopSession

FORM = {
    "title": "データとデザインで考える", "date": "2030-11-08", "start_time": "13:30",
    "end_time": "16:30", "meeting_url": "https://teams.example/meet/3",
    "agenda_md": "1. 振り返り\n2. **講義**\n<script>alert(1)</script>",
    "materials_md": "- [スライド](https://example.jp/s.pdf)\n- [危険](javascript:alert(1))",
    "recording_url": "", "summary_md": "",
}


def test_participant_sees_session_page(login_as, demo):
    page = login_as("p01@example.jp").get("/c/tokyo-dx-2021/sessions/1").get_data(as_text=True)
    assert "第1回" in page and "アジェンダ" in page
    assert "日程・内容を編集" not in page


def test_unknown_session_is_404(login_as, demo):
    assert login_as("p01@example.jp").get("/c/tokyo-dx-2021/sessions/9").status_code == 404


def test_participant_cannot_schedule_a_session(login_as, demo, db):
    client = login_as("p01@example.jp")
    assert client.get("/c/tokyo-dx-2021/sessions/3/edit").status_code == 403
    before = db.session.scalar(select(WorkshopSession.title).where(
        WorkshopSession.cohort_id == demo.id, WorkshopSession.number == 3))
    response = client.post("/c/tokyo-dx-2021/sessions/3/edit", data=FORM)
    assert response.status_code == 403
    assert "権限がありません" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(WorkshopSession.title).where(
        WorkshopSession.cohort_id == demo.id, WorkshopSession.number == 3)) == before


def test_trainer_schedules_in_tokyo_time_and_markdown_is_sanitized(login_as, demo, db):
    client = login_as("trainer1@example.jp")
    assert client.get("/c/tokyo-dx-2021/sessions/3/edit").status_code == 200
    response = client.post("/c/tokyo-dx-2021/sessions/3/edit", data=FORM)
    assert response.status_code == 302
    ws = db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.cohort_id == demo.id, WorkshopSession.number == 3))
    assert ws.starts_at == datetime(2030, 11, 8, 4, 30, tzinfo=UTC)
    page = client.get("/c/tokyo-dx-2021/sessions/3").get_data(as_text=True)
    assert "2030年11月8日(金) 13:30" in page and "16:30" in page
    assert "<strong>講義</strong>" in page
    assert "<script>alert(1)" not in page
    assert "javascript:" not in page
    assert 'href="https://teams.example/meet/3"' in page


def test_end_before_start_is_refused_and_nothing_saved(login_as, demo, db):
    client = login_as("trainer1@example.jp")
    response = client.post("/c/tokyo-dx-2021/sessions/3/edit",
                           data={**FORM, "start_time": "16:00", "end_time": "15:00"})
    assert response.status_code == 400
    assert "終了時刻は開始時刻より後にしてください" in response.get_data(as_text=True)
    title = db.session.scalar(select(WorkshopSession.title).where(
        WorkshopSession.cohort_id == demo.id, WorkshopSession.number == 3))
    assert title != FORM["title"]


def test_meeting_url_must_be_http(login_as, demo):
    response = login_as("trainer1@example.jp").post(
        "/c/tokyo-dx-2021/sessions/3/edit", data={**FORM, "meeting_url": "javascript:alert(1)"})
    assert response.status_code == 400


def test_calendar_parses_with_icalendar(login_as, demo):
    response = login_as("p01@example.jp").get("/c/tokyo-dx-2021/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 5
    assert str(events[0]["SUMMARY"]).startswith("第1回")
    start = events[0].decoded("DTSTART")
    assert start.tzinfo is not None
    assert len({str(e["UID"]) for e in events}) == 5
    assert "/c/tokyo-dx-2021/sessions/1" in str(events[0]["DESCRIPTION"])


def test_calendar_of_another_cohort_is_404(login_as, demo, make_cohort):
    make_cohort(slug="osaka-2030")
    assert login_as("p01@example.jp").get("/c/osaka-2030/calendar.ics").status_code == 404
