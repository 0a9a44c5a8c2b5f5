"""Read Teams attendance reports (current, legacy, plain CSV, .xlsx) into one entry per person
(matching them to people: lms.sessions.attendance_match)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from lms.tables import TableError, read_rows


class AttendanceFormatError(ValueError):
    """The file is not an attendance report we can read; the message is Japanese."""


@dataclass(frozen=True)
class AttendanceEntry:
    """One person's attendance; times are naive, in the report's own local time."""

    name: str
    email: str | None
    minutes: int
    first_join: datetime | None
    last_leave: datetime | None


@dataclass
class AttendanceReport:
    """A parsed report: one entry per person; meeting times only when the file states them."""

    meeting_start: datetime | None
    meeting_end: datetime | None
    entries: list[AttendanceEntry]
    # Rows we read but had to interpret (e.g. no duration); shown to the trainer, in Japanese.
    warnings: list[str] = field(default_factory=list)
    meeting_title: str | None = None  # 会議のタイトル of the summary, when the file has one


def _norm(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).lower()


# Header wording differs across Teams versions and UI languages; compared after _norm.
_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("名前", "氏名", "フルネーム", "参加者名", "表示名", "name", "full name",
             "display name", "participant name"),
    "first_join": ("最初の参加", "最初の参加時刻", "first join", "first join time"),
    "last_leave": ("最後の退出", "最後の退出時刻", "last leave", "last leave time"),
    "join": ("参加時刻", "入室時刻", "参加日時", "join time", "joined at"),
    "leave": ("退出時刻", "退室時刻", "退出日時", "leave time", "left at"),
    "duration": ("会議の長さ", "会議中の期間", "期間", "出席時間", "参加時間", "滞在時間", "時間",
                 "参加時間(分)", "出席時間(分)", "in-meeting duration", "duration",
                 "attendance duration", "time in meeting", "minutes", "分"),
    "email": ("メール", "メールアドレス", "電子メール", "email", "e-mail", "email address",
              "mail"),
    "upn": ("参加者id(upn)", "participant id (upn)", "upn"),
    "action": ("user action", "action", "ユーザーの操作", "操作", "アクション"),
    "timestamp": ("timestamp", "タイムスタンプ", "日時", "時刻"),
}  # fmt: skip
_COLUMN_OF = {_norm(alias): column for column, names in _ALIASES.items() for alias in names}
_SUMMARY_START = ("開始時刻", "会議の開始時刻", "start time", "meeting start time")
_SUMMARY_END = ("終了時刻", "会議の終了時刻", "end time", "meeting end time")
_SUMMARY_TITLE = ("会議のタイトル", "会議名", "タイトル", "meeting title", "title")
_SECTION_TITLE = re.compile(r"^\d+\s*[.．]\s*\S")

_DATETIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
    # English Teams writes US month/day order.
    "%m/%d/%Y, %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%y, %I:%M:%S %p",
    "%m/%d/%y %I:%M:%S %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y, %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
)  # fmt: skip


def parse_datetime(value: str) -> datetime | None:
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip()
    # Teams sometimes writes 午前/午後 (or AM/PM) in Japanese-locale exports.
    text = text.replace("午前", "AM").replace("午後", "PM")
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(時間|hours?|hrs?|h|分|minutes?|mins?|m|秒|seconds?|secs?|s)(?![a-z])"
)
_UNIT_SECONDS = {"時": 3600, "h": 3600, "分": 60, "m": 60, "秒": 1, "s": 1}


def parse_duration(value: str) -> int | None:
    """Seconds in "1 時間 5 分 3 秒", "1h 5m", "45m 3s", "1:05:03" or "65" (minutes)."""
    text = unicodedata.normalize("NFKC", value).strip().lower()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return round(float(text) * 60)  # a bare number in a plain CSV means minutes
    clock = re.fullmatch(r"(\d+):(\d{1,2})(?::(\d{1,2}))?", text)
    if clock:
        hours, minutes, seconds = (int(g or 0) for g in clock.groups())
        return hours * 3600 + minutes * 60 + seconds
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip(" ,"):
        return None
    return round(sum(float(n) * _UNIT_SECONDS[unit[0]] for n, unit in parts))


def _rows(data: bytes) -> list[list[str]]:
    try:
        return [[cell.strip() for cell in row] for _line, row in read_rows(data)]
    except TableError as exc:
        raise AttendanceFormatError(exc.message) from exc


def _header_columns(row: list[str]) -> dict[str, int] | None:
    """Map a header row to column positions, or None if it is not a table header."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        column = _COLUMN_OF.get(_norm(cell))
        if column and column not in columns:
            columns[column] = index
    if "name" not in columns and "email" not in columns:
        return None
    kinds = {"first_join", "last_leave", "join", "leave", "duration", "action", "timestamp"}
    return columns if kinds & columns.keys() else None


@dataclass
class _Table:
    columns: dict[str, int]
    rows: list[tuple[int, list[str]]]  # (line number, cells)

    @property
    def score(self) -> int:
        """Prefer the per-person participants list, then per-interval, then join/leave events."""
        if {"first_join", "last_leave"} & self.columns.keys():
            return 3
        if {"join", "leave", "duration"} & self.columns.keys():
            return 2
        return 1


def _find_tables(rows: list[list[str]]) -> tuple[list[_Table], dict[str, str]]:
    tables: list[_Table] = []
    summary: dict[str, str] = {}
    current: _Table | None = None
    for line, row in enumerate(rows, start=1):
        filled = [c for c in row if c]
        if not filled:
            continue  # blank lines separate sections but may also stray inside a table
        columns = _header_columns(row)
        if columns is not None:
            current = _Table(columns, [])
            tables.append(current)
        elif len(filled) == 1 and (_SECTION_TITLE.match(filled[0]) or current is None):
            current = None  # a section title such as "3. 会議中のアクティビティ"
        elif current is not None:
            current.rows.append((line, row))
        elif len(row) >= 2 and row[0]:
            summary[_norm(row[0])] = row[1]  # key/value lines of the 要約 section
    return tables, summary


def _summary_time(summary: dict[str, str], keys: Iterable[str]) -> datetime | None:
    for key in keys:
        value = summary.get(_norm(key))
        if value:
            parsed = parse_datetime(value)
            if parsed:
                return parsed
    return None


@dataclass
class _Person:
    name: str
    email: str | None
    seconds: float = 0.0
    first_join: datetime | None = None
    last_leave: datetime | None = None
    intervals: list[tuple[datetime, datetime]] = field(default_factory=list)

    def add_times(self, join: datetime | None, leave: datetime | None) -> None:
        if join and (self.first_join is None or join < self.first_join):
            self.first_join = join
        if leave and (self.last_leave is None or leave > self.last_leave):
            self.last_leave = leave


def _union_seconds(intervals: list[tuple[datetime, datetime]]) -> float:
    # Joining from PC and phone at once must not count the overlap twice.
    total = 0.0
    end: datetime | None = None
    for start, stop in sorted(intervals):
        if end is not None and start < end:
            start = end
        if stop > start:
            total += (stop - start).total_seconds()
        end = stop if end is None else max(end, stop)
    return total


def _cell(row: list[str], columns: dict[str, int], column: str) -> str:
    index = columns.get(column)
    return row[index] if index is not None and index < len(row) else ""


def _person_key(name: str, email: str | None) -> str:
    return f"email:{email}" if email else f"name:{_norm(name)}"


def _read_table(table: _Table, warnings: list[str]) -> dict[str, _Person]:
    people: dict[str, _Person] = {}
    per_interval = table.score == 2
    for line, row in table.rows:
        name = _cell(row, table.columns, "name")
        email = (_cell(row, table.columns, "email") or _cell(row, table.columns, "upn")).lower()
        email = email if "@" in email else None
        if not name and not email:
            warnings.append(f"{line}行目: 名前もメールもない行を読み飛ばしました。")
            continue
        join = parse_datetime(
            _cell(row, table.columns, "first_join") or _cell(row, table.columns, "join")
        )
        leave = parse_datetime(
            _cell(row, table.columns, "last_leave") or _cell(row, table.columns, "leave")
        )
        seconds = parse_duration(_cell(row, table.columns, "duration"))
        if seconds is None and join and leave and leave >= join:
            seconds = int((leave - join).total_seconds())
        if seconds is None:
            seconds = 0
            warnings.append(f"{line}行目: {name or email} の参加時間を読み取れず、0分としました。")
        person = people.setdefault(_person_key(name, email), _Person(name or email or "", email))
        person.seconds += seconds
        person.add_times(join, leave)
        if per_interval and join and leave and leave >= join:
            person.intervals.append((join, leave))
        elif per_interval:
            per_interval = False  # mixed data: fall back to summed durations for everyone
    if per_interval:
        for person in people.values():
            if person.intervals:
                person.seconds = _union_seconds(person.intervals)
    return people


def _read_events(table: _Table, warnings: list[str]) -> tuple[dict[str, _Person], datetime | None]:
    """Legacy layout: one row per Joined/Left; pair them per person in time order."""
    events: dict[str, list[tuple[datetime, bool]]] = {}
    names: dict[str, str] = {}
    for line, row in table.rows:
        name = _cell(row, table.columns, "name")
        action = _norm(_cell(row, table.columns, "action"))
        when = parse_datetime(_cell(row, table.columns, "timestamp"))
        joined = action.startswith(("join", "参加", "入室"))
        left = action.startswith(("left", "leave", "退出", "退室"))
        if not name or when is None or not (joined or left):
            warnings.append(f"{line}行目: 参加/退出の記録として読み取れず、読み飛ばしました。")
            continue
        key = _person_key(name, None)
        names.setdefault(key, name)
        events.setdefault(key, []).append((when, joined))
    all_times = [when for person_events in events.values() for when, _ in person_events]
    if not all_times:
        return {}, None
    start, end = min(all_times), max(all_times)
    people: dict[str, _Person] = {}
    for key, person_events in events.items():
        person = _Person(names[key], None)
        open_since: datetime | None = None
        for when, joined in sorted(person_events, key=lambda e: e[0]):
            if joined:
                open_since = open_since or when
            else:
                # A Left with no Joined before it means they were in from the start.
                person.intervals.append((open_since or start, when))
                open_since = None
        if open_since is not None:
            # Still in at the end of the log (e.g. the organizer): count until the last event.
            person.intervals.append((open_since, end))
        person.seconds = _union_seconds(person.intervals)
        person.add_times(min(s for s, _ in person.intervals), max(e for _, e in person.intervals))
        people[key] = person
    return people, end


def parse_attendance_report(data: bytes) -> AttendanceReport:
    """Parse a Teams attendance report or a plain attendance CSV into one entry per person.

    Raises AttendanceFormatError (a ValueError with a Japanese message) when no attendance
    table is found.
    """
    rows = _rows(data)
    tables, summary = _find_tables(rows)
    tables = [t for t in tables if t.rows]
    if not tables:
        raise AttendanceFormatError(
            "出席者の一覧が見つかりません。Teamsの出席レポート、または 氏名・メール・参加時間 の"
            "列があるCSVを選んでください。"
        )
    best = max(tables, key=lambda t: t.score)  # first of equal score wins (file order)
    warnings: list[str] = []
    meeting_start = _summary_time(summary, _SUMMARY_START)
    meeting_end = _summary_time(summary, _SUMMARY_END)
    if best.score == 1:
        people, _ = _read_events(best, warnings)
    else:
        people = _read_table(best, warnings)
    entries = [
        AttendanceEntry(p.name, p.email, int(p.seconds / 60 + 0.5), p.first_join, p.last_leave)
        for p in people.values()
    ]
    title = next((summary[_norm(k)] for k in _SUMMARY_TITLE if summary.get(_norm(k))), None)
    return AttendanceReport(meeting_start, meeting_end, entries, warnings, title)

