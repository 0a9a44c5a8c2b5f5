"""Attendance by hand and from a Teams report through the page; catch-up ticking."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import select

from lms.auth.models import User
from lms.sessions.models import Attendance, CatchupProgress, WorkshopSession

DATA = Path(__file__).parent / "data"
URL = "/c/tokyo-dx-2021/sessions/{n}/attendance"


def user_id(db, email):
    return db.session.scalar(select(User.id).where(User.email == email))


def session_id(db, cohort, number):
    return db.session.scalar(select(WorkshopSession.id).where(
        WorkshopSession.cohort_id == cohort.id, WorkshopSession.number == number))


def statuses(db, cohort, number):
    rows = db.session.execute(
        select(User.email, Attendance.status, Attendance.minutes).join(
            Attendance, Attendance.user_id == User.id)
        .where(Attendance.session_id == session_id(db, cohort, number))).all()
    return {email: (status, minutes) for email, status, minutes in rows}


def test_participant_cannot_see_or_record_attendance(login_as, demo, db):
    client = login_as("p01@example.jp")
    before = statuses(db, demo, 3)
    assert client.get(URL.format(n=3)).status_code == 403
    assert client.post(URL.format(n=3), data={
        f"status-{user_id(db, 'p01@example.jp')}": "present"}).status_code == 403
    assert statuses(db, demo, 3) == before == {}


def test_trainer_records_attendance_by_hand(login_as, demo, db):
    client = login_as("trainer1@example.jp")
    page = client.get(URL.format(n=3))
    assert page.status_code == 200 and "出欠（手入力）" in page.get_data(as_text=True)
    p01, p02 = user_id(db, "p01@example.jp"), user_id(db, "p02@example.jp")
    response = client.post(URL.format(n=3), data={f"status-{p01}": "present",
                                                  f"status-{p02}": "absent"})
    assert response.status_code == 302
    assert statuses(db, demo, 3) == {"p01@example.jp": ("present", None),
                                     "p02@example.jp": ("absent", None)}
    # Back to 未記録 removes the record; a bad status is refused and nothing changes.
    client.post(URL.format(n=3), data={f"status-{p02}": ""})
    assert set(statuses(db, demo, 3)) == {"p01@example.jp"}
    assert client.post(URL.format(n=3), data={f"status-{p01}": "maybe"}).status_code == 422
    trainer = user_id(db, "trainer2@example.jp")
    assert client.post(URL.format(n=3), data={f"status-{trainer}": "present"}).status_code == 422
    assert statuses(db, demo, 3) == {"p01@example.jp": ("present", None)}


def test_teams_report_import_lists_unmatched_and_matches_by_hand(login_as, demo, db):
    client = login_as("trainer1@example.jp")
    data = (DATA / "teams_attendance_ja.csv").read_bytes()
    # The report is 第3回's but dated 2021 (the demo runs today): confirmed as this session.
    response = client.post(URL.format(n=3) + "/import", data={
        "report": (io.BytesIO(data), "出席レポート.csv"), "confirm_mismatch": "y"},
        content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "一致しなかった名前が1件" in page
    unmatched = re.findall(r'<th scope="row">([^<]+)</th><td>', page)
    assert unmatched == ["田中 誠(ゲスト)"]
    # The trainer's own row is recognised, not offered as an unmatched participant.
    assert "講師・主催者として認識した行：講師 一郎（講師・" in page
    recorded = statuses(db, demo, 3)
    assert len(recorded) == 50  # every participant, those not in the report as absent
    assert recorded["p01@example.jp"] == ("present", 183)
    assert recorded["p05@example.jp"][0] == "present"  # e-mail differed only in case
    assert recorded["p03@example.jp"][0] == "partial"
    assert recorded["p07@example.jp"] == ("partial", 21)
    assert recorded["p04@example.jp"] == ("absent", 0)
    assert recorded["p09@example.jp"][0] == "absent"
    counts = {s: sum(1 for v in recorded.values() if v[0] == s)
              for s in ("present", "partial", "absent")}
    assert (f"出席</strong> {counts['present']}人" in page
            and f"一部</strong> {counts['partial']}人" in page
            and f"欠席</strong> {counts['absent']}人" in page)

    # The trainer picks p04 for the guest row.
    minutes = re.search(r'name="minutes-0" value="(\d+)"', page).group(1)
    assert '<select class="form-select form-select-sm" id="person-0"' in page
    response = client.post(URL.format(n=3) + "/match", data={
        "count": "1", "person-0": str(user_id(db, "p04@example.jp")), "minutes-0": minutes})
    assert response.status_code == 302
    assert statuses(db, demo, 3)["p04@example.jp"] == ("present", 170)
    assert "trainer1@example.jp" not in statuses(db, demo, 3)


def test_attendance_report_of_another_session_is_refused_until_confirmed(login_as, demo, db):
    client = login_as("trainer1@example.jp")
    data = (DATA / "teams_attendance_ja.csv").read_bytes()
    before = statuses(db, demo, 1)
    response = client.post(URL.format(n=1) + "/import", data={
        "report": (io.BytesIO(data), "出席レポート.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "第3回のものですが、取り込み先は第1回です" in page
    assert "レポートの日付（2021年12月10日(金)）が第1回の開催日" in page
    assert "会議名や日付がこの回と違っても取り込む" in page
    assert statuses(db, demo, 1) == before  # nothing recorded
    response = client.post(URL.format(n=1) + "/import", data={
        "report": (io.BytesIO(data), "出席レポート.csv"), "confirm_mismatch": "y"},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert statuses(db, demo, 1)["p01@example.jp"] == ("present", 183)


def test_attendance_report_matching_title_and_date_needs_no_confirmation(demo, db):
    from datetime import datetime

    from lms.sessions.attendance import report_mismatches
    from lms.sessions.attendance_import import AttendanceReport
    from lms.timefmt import to_tokyo

    ws = db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.cohort_id == demo.id, WorkshopSession.number == 3))
    local = to_tokyo(ws.starts_at).replace(tzinfo=None)
    fits = AttendanceReport(local, None, [], [], "第３回 自治体DX研修")  # full-width digit
    assert report_mismatches(fits, ws) == []
    other_day = AttendanceReport(datetime(2021, 12, 10, 14), None, [], [], "DX研修")
    assert len(report_mismatches(other_day, ws)) == 1


def test_legacy_report_and_unreadable_files(login_as, demo, db):
    client = login_as("trainer1@example.jp")
    data = (DATA / "teams_attendance_legacy_en.csv").read_bytes()
    response = client.post(URL.format(n=2) + "/import", data={
        "report": (io.BytesIO(data), "legacy.csv"), "confirm_mismatch": "y"},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "一致しなかった名前" in response.get_data(as_text=True)  # names only, none enrolled
    bad = client.post(URL.format(n=2) + "/import", data={
        "report": (io.BytesIO(b"PK\x03\x04xxxx"), "report.xlsx")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "CSV UTF-8" in bad.get_data(as_text=True)
    missing = client.post(URL.format(n=2) + "/import", data={},
                          content_type="multipart/form-data")
    assert missing.status_code == 400
    assert "ファイルを選んでください" in missing.get_data(as_text=True)


def test_absent_participant_ticks_catch_up_and_trainer_sees_it(login_as, demo, db, client):
    login_as("trainer1@example.jp")
    p01 = user_id(db, "p01@example.jp")
    client.post(URL.format(n=3), data={f"status-{p01}": "absent"})
    client.post("/logout")

    login_as("p01@example.jp")
    page = client.get("/c/tokyo-dx-2021/sessions/3").get_data(as_text=True)
    assert "キャッチアップ（欠席だった回）" in page and 'name="done"' in page
    assert "0/4 完了" in page
    response = client.post("/c/tokyo-dx-2021/sessions/3/catchup", data={"done": ["0", "2"]})
    assert response.status_code == 302
    page = client.get("/c/tokyo-dx-2021/sessions/3").get_data(as_text=True)
    assert "2/4 完了" in page
    assert 'for="catchup-0">録画を視聴する（完了）' in page
    assert client.post("/c/tokyo-dx-2021/sessions/3/catchup",
                       data={"done": ["9"]}).status_code == 422
    assert client.post("/c/tokyo-dx-2021/sessions/3/catchup",
                       data={"done": ["x"]}).status_code == 400
    session3 = session_id(db, demo, 3)
    assert len(db.session.scalars(select(CatchupProgress).where(
        CatchupProgress.session_id == session3)).all()) == 2
    # A colleague who attended sees the plain list, not the ticking form.
    client.post("/logout")
    login_as("p02@example.jp")
    page = client.get("/c/tokyo-dx-2021/sessions/3").get_data(as_text=True)
    assert "欠席した場合のキャッチアップ" in page and 'name="done"' not in page
    client.post("/logout")

    login_as("trainer1@example.jp")
    page = client.get(URL.format(n=3)).get_data(as_text=True)
    row = page[page.index("status-" + str(p01)):]
    assert "2/4" in row[:1200]
