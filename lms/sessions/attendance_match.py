"""Match a parsed attendance report to the enrolled people and give each a status."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lms.sessions.attendance_import import AttendanceEntry, AttendanceReport, _norm

PRESENT_PERCENT = 75  # of the session length, to count as 出席 rather than 一部出席


@dataclass
class AttendanceMatch:
    """Every enrolled person with a status, plus every report entry that matched no one."""

    matched: list[tuple[int, str, int]]  # (person_id, "present"|"partial"|"absent", minutes)
    unmatched: list[AttendanceEntry]


_GUEST_SUFFIX = re.compile(r"[(（]\s*(ゲスト|guest|外部|external|unverified)\s*[)）]\s*$", re.I)


def _name_key(name: str) -> str:
    # Teams marks guests as "田中 誠(ゲスト)"; the person is still 田中 誠.
    return _norm(_GUEST_SUFFIX.sub("", name))


def attendance_status(minutes: int, full_minutes: int) -> str:
    """present (≥ PRESENT_PERCENT of full_minutes), partial (> 0) or absent."""
    if minutes * 100 >= full_minutes * PRESENT_PERCENT:
        return "present"
    return "partial" if minutes > 0 else "absent"


def match_attendance(
    report: AttendanceReport, people: Sequence[tuple[int, str, str]], full_minutes: int
) -> AttendanceMatch:
    """Match entries to (person_id, name, email): by email, then by name ignoring spaces.

    Every person gets one (person_id, status, minutes) tuple: present (≥ 75 % of
    full_minutes), partial (> 0 minutes) or absent. Entries that match no one, or whose name
    fits several people, are returned in unmatched, never dropped. Several entries matching
    one person (e.g. PC and phone as guest) add up.
    """
    if full_minutes <= 0:
        raise ValueError("研修の時間(分)は1以上にしてください。")
    by_email: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for person_id, name, email in people:
        if email:
            by_email.setdefault(email.strip().lower(), person_id)
        ids = by_name.setdefault(_name_key(name), [])
        if person_id not in ids:
            ids.append(person_id)

    minutes: dict[int, int] = {person_id: 0 for person_id, _, _ in people}
    unmatched: list[AttendanceEntry] = []
    for entry in report.entries:
        person_id = by_email.get(entry.email.lower()) if entry.email else None
        if person_id is None:
            candidates = by_name.get(_name_key(entry.name), [])
            person_id = candidates[0] if len(candidates) == 1 else None
        if person_id is None:
            unmatched.append(entry)
        else:
            minutes[person_id] += entry.minutes
    matched = [
        (person_id, attendance_status(total, full_minutes), total)
        for person_id, total in minutes.items()
    ]
    return AttendanceMatch(matched=matched, unmatched=unmatched)
