"""Tests for reading Teams attendance reports and matching them to enrolled people."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from lms.sessions.attendance_import import (
    AttendanceEntry,
    AttendanceFormatError,
    AttendanceReport,
    parse_attendance_report,
    parse_duration,
)
from lms.sessions.attendance_match import match_attendance

DATA = Path(__file__).parent / "data"
FULL = 180  # 14:00–17:00

# (person_id, name, email) as enrolled; 渡辺 is 渡邉 in the roster, so only email matches.
PEOPLE = [
    (1, "佐藤 花子", "p01@example.jp"),
    (2, "鈴木 健太", "p02@example.jp"),
    (3, "髙橋 美咲", "p03@example.jp"),
    (5, "伊藤 裕子", "p05@example.jp"),
    (7, "渡邉 翔", "p07@example.jp"),
    (8, "中村 恵", "p08@example.jp"),
]


def ja_report() -> AttendanceReport:
    return parse_attendance_report((DATA / "teams_attendance_ja.csv").read_bytes())


def legacy_report() -> AttendanceReport:
    return parse_attendance_report((DATA / "teams_attendance_legacy_en.csv").read_bytes())


def by_name(report: AttendanceReport) -> dict[str, AttendanceEntry]:
    return {entry.name: entry for entry in report.entries}


def test_current_layout_one_entry_per_person() -> None:
    report = ja_report()
    assert report.meeting_start == datetime(2021, 12, 10, 13, 57, 41)
    assert report.meeting_end == datetime(2021, 12, 10, 17, 3, 12)
    entries = by_name(report)
    assert len(report.entries) == len(entries) == 7
    suzuki = entries["鈴木 健太"]  # left 15:30, rejoined 15:46
    assert suzuki.first_join == datetime(2021, 12, 10, 14, 2, 15)
    assert suzuki.last_leave == datetime(2021, 12, 10, 17, 0, 58)
    assert suzuki.minutes == 161
    assert entries["伊藤 裕子"].email == "p05@example.jp"
    assert entries["田中 誠(ゲスト)"].email is None
    assert entries["渡辺 翔"].minutes == 21


def test_activity_section_alone_merges_left_and_rejoined() -> None:
    text = (DATA / "teams_attendance_ja.csv").read_bytes().decode("utf-16")
    summary, _participants, activity = text.split("\r\n\r\n")
    report = parse_attendance_report((summary + "\r\n\r\n" + activity).encode("utf-16"))
    suzuki = [e for e in report.entries if e.email == "p02@example.jp"]
    assert len(suzuki) == 1
    assert suzuki[0].minutes == 162  # 1:27:45 + 1:14:18
    assert suzuki[0].first_join == datetime(2021, 12, 10, 14, 2, 15)
    assert suzuki[0].last_leave == datetime(2021, 12, 10, 17, 0, 58)
    assert len(report.entries) == 7


def test_match_current_layout() -> None:
    result = match_attendance(ja_report(), PEOPLE, FULL)
    status = {pid: (state, minutes) for pid, state, minutes in result.matched}
    assert status == {
        1: ("present", 183),
        2: ("present", 161),
        3: ("partial", 70),
        5: ("present", 183),  # P05@Example.JP
        7: ("partial", 21),  # joined for the last 21 minutes
        8: ("absent", 0),
    }
    assert sorted(e.name for e in result.unmatched) == ["田中 誠(ゲスト)", "講師 一郎"]
    # Nothing dropped: every entry is matched or listed.
    assert len(result.unmatched) + 5 == len(ja_report().entries)


def test_guest_matches_by_name_when_enrolled() -> None:
    people = [*PEOPLE, (9, "田中　誠", "tanaka@example.jp")]
    result = match_attendance(ja_report(), people, FULL)
    assert (9, "present", 170) in result.matched
    assert [e.name for e in result.unmatched] == ["講師 一郎"]


def test_legacy_layout_aggregated_and_matched_by_name() -> None:
    report = legacy_report()
    assert (report.meeting_start, report.meeting_end) == (None, None)
    entries = by_name(report)
    assert set(entries) == {"Ichiro Koshi", "佐藤 花子", "鈴木 健太", "髙橋 美咲"}
    suzuki = entries["鈴木 健太"]
    assert suzuki.minutes == 162  # 2:02:15–3:30:00 plus 3:46:40–5:00:58 PM
    assert suzuki.first_join == datetime(2021, 12, 10, 14, 2, 15)
    assert suzuki.last_leave == datetime(2021, 12, 10, 17, 0, 58)
    assert all(e.email is None for e in report.entries)

    result = match_attendance(report, PEOPLE, FULL)
    status = {pid: state for pid, state, _ in result.matched}
    assert status == {
        1: "present",
        2: "present",
        3: "partial",
        5: "absent",
        7: "absent",
        8: "absent",
    }
    assert [e.name for e in result.unmatched] == ["Ichiro Koshi"]


def test_legacy_never_left_counts_to_end_of_log() -> None:
    koshi = by_name(legacy_report())["Ichiro Koshi"]
    assert koshi.last_leave == datetime(2021, 12, 10, 17, 1, 40)
    assert koshi.minutes == 184


def test_plain_csv_cp932_minutes_and_durations() -> None:
    text = (
        "氏名,メールアドレス,参加時間\r\n"
        "髙橋 美咲,P03@Example.jp,45\r\n"
        "佐藤 花子,p01@example.jp,1 時間 5 分 3 秒\r\n"
        "佐藤 花子,p01@example.jp,1h 5m\r\n"
        "鈴木 健太,,45m 3s\r\n"
    )
    report = parse_attendance_report(text.encode("cp932"))
    assert [(e.name, e.email, e.minutes) for e in report.entries] == [
        ("髙橋 美咲", "p03@example.jp", 45),
        ("佐藤 花子", "p01@example.jp", 130),
        ("鈴木 健太", None, 45),
    ]
    assert report.meeting_start is None


def test_plain_csv_utf8_bom_english_headers() -> None:
    text = "\ufeffName,Email,Duration\n佐藤 花子,p01@example.jp,1:30:00\n"
    report = parse_attendance_report(text.encode("utf-8"))
    assert report.entries == [AttendanceEntry("佐藤 花子", "p01@example.jp", 90, None, None)]


def test_unreadable_duration_is_warned_not_hidden() -> None:
    report = parse_attendance_report("氏名,参加時間\n佐藤 花子,?\n".encode())
    assert report.entries[0].minutes == 0
    assert len(report.warnings) == 1
    assert "2行目" in report.warnings[0]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1 時間 5 分 3 秒", 3903),
        ("3時間2分38秒", 10958),
        ("21 分 0 秒", 1260),
        ("1h 5m", 3900),
        ("45m 3s", 2703),
        ("1 hr 2 min", 3720),
        ("1:05:03", 3903),
        ("65", 3900),
        ("", None),
        ("abc", None),
        ("5 分 くらい", None),
    ],
)
def test_parse_duration(text: str, seconds: int | None) -> None:
    assert parse_duration(text) == seconds


def test_not_an_attendance_file() -> None:
    with pytest.raises(AttendanceFormatError, match="出席者"):
        parse_attendance_report(b"a,b,c\n1,2,3\n")
    with pytest.raises(AttendanceFormatError):
        parse_attendance_report(b"")


def test_ambiguous_name_is_left_unmatched() -> None:
    report = AttendanceReport(None, None, [AttendanceEntry("佐藤花子", None, 60, None, None)])
    people = [(1, "佐藤 花子", "a@example.jp"), (2, "佐藤　花子", "b@example.jp")]
    result = match_attendance(report, people, 60)
    assert result.unmatched == report.entries
    assert {state for _, state, _ in result.matched} == {"absent"}


def test_present_threshold_and_bad_length() -> None:
    report = AttendanceReport(
        None,
        None,
        [
            AttendanceEntry("a", "a@example.jp", 135, None, None),
            AttendanceEntry("b", "b@example.jp", 134, None, None),
        ],
    )
    people = [(1, "A", "a@example.jp"), (2, "B", "B@example.jp")]
    assert match_attendance(report, people, 180).matched == [
        (1, "present", 135),
        (2, "partial", 134),
    ]
    with pytest.raises(ValueError):
        match_attendance(report, people, 0)


def test_current_layout_english_ui() -> None:
    text = (
        "1. Summary\r\n"
        "Meeting title\tDX training 3\r\n"
        "Start time\t12/10/21, 1:57:41 PM\r\n"
        "End time\t12/10/21, 5:03:12 PM\r\n"
        "\r\n"
        "2. Participants\r\n"
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\r\n"
        "Sato Hanako\t12/10/21, 1:59:02 PM\t12/10/21, 5:01:40 PM\t3h 2m 38s\tP01@example.jp"
        "\tp01@example.jp\tAttendee\r\n"
        "\r\n"
        "3. In-Meeting Activities\r\n"
        "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\r\n"
        "Sato Hanako\t12/10/21, 1:59:02 PM\t12/10/21, 5:01:40 PM\t3h 2m 38s\tP01@example.jp"
        "\tAttendee\r\n"
    )
    report = parse_attendance_report(text.encode("utf-16"))
    assert report.meeting_start == datetime(2021, 12, 10, 13, 57, 41)
    assert report.meeting_end == datetime(2021, 12, 10, 17, 3, 12)
    assert report.entries == [
        AttendanceEntry(
            "Sato Hanako",
            "p01@example.jp",
            183,
            datetime(2021, 12, 10, 13, 59, 2),
            datetime(2021, 12, 10, 17, 1, 40),
        )
    ]


def test_xlsx_is_refused_with_a_hint() -> None:
    with pytest.raises(AttendanceFormatError, match="xlsx"):
        parse_attendance_report(b"PK\x03\x04rest-of-zip")
