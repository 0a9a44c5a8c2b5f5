"""Recording attendance per session: by hand, or from a meeting tool's attendance report."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.cohorts.access import STAFF_ROLES
from lms.cohorts.models import Cohort, Membership
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.sessions.attendance_import import (
    AttendanceEntry,
    AttendanceFormatError,
    AttendanceReport,
    parse_attendance_report,
)
from lms.sessions.attendance_match import attendance_status, match_attendance
from lms.sessions.models import ATTENDANCE_STATUSES, Attendance, WorkshopSession
from lms.timefmt import ja_date, to_tokyo

MAX_REPORT_BYTES = 5 * 1024 * 1024


@dataclass
class ImportResult:
    recorded: int
    unmatched: list[AttendanceEntry]
    warnings: list[str]
    # Report rows that are the cohort's organizer or trainers: (entry, role label).
    staff: list[tuple[AttendanceEntry, str]] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)  # present / partial / absent


class ReportMismatch(ValidationError):
    """The report looks like another session's (title or date); confirm to import anyway."""

    code = "report_mismatch"


_NUMBER_IN_TITLE = re.compile(r"第\s*(\d+)\s*回")


def report_mismatches(report: AttendanceReport, ws: WorkshopSession) -> list[str]:
    """Why this report may belong to another session, in Japanese (empty when it fits)."""
    problems = []
    title = unicodedata.normalize("NFKC", report.meeting_title or "")
    found = _NUMBER_IN_TITLE.search(title)
    if found and int(found.group(1)) != ws.number:
        problems.append(f"レポートの会議名「{report.meeting_title}」は第{int(found.group(1))}回"
                        f"のものですが、取り込み先は{ws.label}です。")
    joins = [e.first_join for e in report.entries if e.first_join]
    held = report.meeting_start or (min(joins) if joins else None)
    day = to_tokyo(ws.starts_at).date()
    if held is not None and held.date() != day:
        problems.append(f"レポートの日付（{ja_date(held.date())}）が{ws.label}の開催日"
                        f"（{ja_date(day)}）と違います。")
    return problems


def participants(cohort: Cohort) -> list[Membership]:
    """The cohort's participants with their user and municipality, in municipality order."""
    return list(db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort.id,
                                 Membership.role == "participant")
        .options(selectinload(Membership.user), selectinload(Membership.municipality))
        .order_by(Membership.municipality_code, Membership.id)))


def attendance_by_user(ws: WorkshopSession) -> dict[int, Attendance]:
    return {a.user_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id == ws.id))}


def attendance_of(ws: WorkshopSession, user_id: int) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(
        Attendance.session_id == ws.id, Attendance.user_id == user_id))


def _put(existing: dict[int, Attendance], ws: WorkshopSession, user_id: int, status: str,
         minutes: int | None, source: str) -> None:
    row = existing.get(user_id)
    if row is None:
        row = Attendance(session_id=ws.id, user_id=user_id)
        db.session.add(row)
        existing[user_id] = row
    row.status, row.minutes, row.source, row.recorded_at = status, minutes, source, utcnow()


def record_by_hand(cohort: Cohort, ws: WorkshopSession, statuses: dict[int, str]) -> int:
    """Set each listed participant's status; "" clears it. Returns how many changed.

    Raises ValidationError for an unknown status or someone who is not a participant.
    """
    allowed = {m.user_id for m in participants(cohort)}
    existing = attendance_by_user(ws)
    changed = 0
    for user_id, status in statuses.items():
        if user_id not in allowed:
            raise ValidationError("この研修の受講者ではない人が含まれています。")
        if status and status not in ATTENDANCE_STATUSES:
            raise ValidationError("出欠は「出席」「一部」「欠席」から選んでください。")
        row = existing.get(user_id)
        if not status:
            if row is not None:
                db.session.delete(row)
                changed += 1
            continue
        if row is None or row.status != status:
            _put(existing, ws, user_id, status, row.minutes if row else None, "manual")
            changed += 1
    db.session.flush()
    return changed


def session_minutes(ws: WorkshopSession) -> int:
    return max(1, int((ws.ends_at - ws.starts_at).total_seconds() // 60))


def import_report(cohort: Cohort, ws: WorkshopSession, data: bytes,
                  confirmed: bool = False) -> ImportResult:
    """Read a Teams (current or legacy) or plain CSV report and record every participant.

    Those in no row are 欠席; the organizer's and trainers' rows are recognised as staff;
    rows that match no one are returned to be matched by hand. Raises ValidationError when
    the file cannot be read as an attendance report, and ReportMismatch (nothing recorded)
    when its title or date points to another session, unless `confirmed`.
    """
    if len(data) > MAX_REPORT_BYTES:
        raise ValidationError("出席レポートが大きすぎます（5MBまで）。")
    try:
        report = parse_attendance_report(data)
    except AttendanceFormatError as exc:
        raise ValidationError(str(exc)) from exc
    problems = report_mismatches(report, ws)
    if problems and not confirmed:
        raise ReportMismatch("このレポートは別の回のものかもしれません。" + "".join(problems)
                             + "正しい回か確認し、それでも取り込む場合はチェックを付けてください。",
                             extra={"mismatches": problems})
    people = [(m.user_id, m.user.name, m.user.email) for m in participants(cohort)]
    match = match_attendance(report, people, session_minutes(ws))
    existing = attendance_by_user(ws)
    summary = {status: 0 for status in ATTENDANCE_STATUSES}
    for user_id, status, minutes in match.matched:
        _put(existing, ws, user_id, status, minutes, "import")
        summary[status] += 1
    db.session.flush()
    staff, unmatched = _split_staff(cohort, match.unmatched)
    return ImportResult(len(match.matched), unmatched, report.warnings + problems, staff,
                        summary)


def _split_staff(cohort: Cohort, entries: list[AttendanceEntry]
                 ) -> tuple[list[tuple[AttendanceEntry, str]], list[AttendanceEntry]]:
    """Report rows of the cohort's organizer or trainers (by email, then by name) apart
    from the rows that match no one."""
    members = db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort.id,
                                 Membership.role.in_(STAFF_ROLES))
        .options(selectinload(Membership.user))).all()
    by_email = {m.user.email.lower(): m for m in members}
    by_name = {_plain(m.user.name): m for m in members}
    staff, rest = [], []
    for entry in entries:
        m = by_email.get((entry.email or "").lower()) or by_name.get(_plain(entry.name))
        if m is None:
            rest.append(entry)
        else:
            staff.append((entry, m.role_label))
    return staff, rest


def _plain(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


def match_by_hand(cohort: Cohort, ws: WorkshopSession, pairs: list[tuple[int, int]]) -> int:
    """Credit an unmatched report row's minutes to the person the trainer picked."""
    allowed = {m.user_id for m in participants(cohort)}
    existing = attendance_by_user(ws)
    full = session_minutes(ws)
    for user_id, minutes in pairs:
        if user_id not in allowed:
            raise ValidationError("この研修の受講者ではない人が選ばれています。")
        if minutes < 0:
            raise ValidationError("参加時間が正しくありません。")
        row = existing.get(user_id)
        total = (row.minutes or 0) + minutes if row else minutes
        _put(existing, ws, user_id, attendance_status(total, full), total, "import")
    db.session.flush()
    return len(pairs)
