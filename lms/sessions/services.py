"""Scheduling workshop sessions and the cohort's calendar."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select

from lms.audit.services import record, snapshot
from lms.auth.models import User
from lms.cohorts.models import Cohort
from lms.db import utcnow
from lms.errors import NotFound, ValidationError
from lms.extensions import db
from lms.markdown import render_markdown
from lms.sessions.models import WorkshopSession
from lms.sessions.signals import session_rescheduled

RESCHEDULE_FIELDS = ("starts_at", "ends_at", "meeting_url")


def get_session(cohort: Cohort, number: int) -> WorkshopSession:
    ws = db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.cohort_id == cohort.id, WorkshopSession.number == number))
    if ws is None:
        raise NotFound("その回は見つかりません。")
    return ws


def list_sessions(cohort_id: int) -> list[WorkshopSession]:
    return list(db.session.scalars(select(WorkshopSession).where(
        WorkshopSession.cohort_id == cohort_id).order_by(WorkshopSession.number)))


def local_datetime(day: date, at: time, tz: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz))


def schedule_session(cohort: Cohort, ws: WorkshopSession, *, title: str, day: date,
                     start: time, end: time, meeting_url: str = "", agenda_md: str = "",
                     materials_md: str = "", recording_url: str = "",
                     summary_md: str = "", catchup_tasks: list[str] | None = None,
                     actor: User | None = None, now: datetime | None = None) -> WorkshopSession:
    """Update a session's schedule and texts; times are wall-clock in the cohort's timezone.

    Any change to what a calendar event shows bumps the calendar SEQUENCE; a new time or
    meeting URL also sends `session_rescheduled` (everyone is notified). `catchup_tasks` None
    keeps them; an acting user gets the change into the audit log. Raises ValidationError
    for end <= start."""
    if end <= start:
        raise ValidationError("終了時刻は開始時刻より後にしてください。")
    old = {name: getattr(ws, name) for name in RESCHEDULE_FIELDS}
    before = snapshot(ws, AUDITED_FIELDS)
    calendar_before = _calendar_fields(ws)
    ws.title = title.strip()
    ws.starts_at = local_datetime(day, start, cohort.timezone)
    ws.ends_at = local_datetime(day, end, cohort.timezone)
    ws.meeting_url = meeting_url or ""
    ws.recording_url = recording_url or ""
    ws.agenda_md, ws.agenda_html = agenda_md or "", render_markdown(agenda_md)
    ws.materials_md, ws.materials_html = materials_md or "", render_markdown(materials_md)
    ws.summary_md, ws.summary_html = summary_md or "", render_markdown(summary_md)
    if catchup_tasks is not None:
        ws.catchup_tasks = [t.strip()[:500] for t in catchup_tasks if t.strip()][:30]
    if _calendar_fields(ws) != calendar_before:
        ws.sequence = (ws.sequence or 0) + 1
        ws.updated_at = now or utcnow()
    db.session.flush()
    if actor is not None:
        record(actor, "session.update", ws, before, snapshot(ws, AUDITED_FIELDS),
               label=f"{ws.label} {ws.title}")
    new = {name: getattr(ws, name) for name in RESCHEDULE_FIELDS}
    changed = set()
    if (new["starts_at"], new["ends_at"]) != (old["starts_at"], old["ends_at"]):
        changed.add("time")
    if new["meeting_url"] != old["meeting_url"]:
        changed.add("meeting_url")
    if changed:
        session_rescheduled.send(ws, old=old, new=new, cohort=cohort, actor=actor,
                                 changed=changed, old_starts_at=old["starts_at"],
                                 old_ends_at=old["ends_at"],
                                 old_meeting_url=old["meeting_url"])
    return ws


AUDITED_FIELDS = ("title", "starts_at", "ends_at", "meeting_url", "agenda_md", "materials_md",
                  "recording_url", "summary_md", "catchup_tasks")


def _calendar_fields(ws: WorkshopSession) -> tuple:
    """What a calendar event shows: a change to any of these is a new SEQUENCE."""
    return (ws.title, ws.starts_at, ws.ends_at, ws.meeting_url)


def cohort_calendar(cohort: Cohort, sessions: list[WorkshopSession], base_url: str,
                    now: datetime | None = None) -> bytes:
    """An iCalendar file (Outlook accepts it) with one event per session."""
    stamp = now or utcnow()
    cal = Calendar()
    cal.add("prodid", "-//jichitai-dx-lms//ja")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", cohort.title)
    cal.add("x-wr-timezone", cohort.timezone)
    for ws in sessions:
        event = Event()
        event.add("uid", f"cohort-{cohort.id}-session-{ws.number}@lms")
        event.add("summary", f"{ws.label} {ws.title}（{cohort.title}）")
        event.add("dtstart", ws.starts_at)
        event.add("dtend", ws.ends_at)
        # DTSTAMP: when this copy was made; SEQUENCE: bumped by every change, so Outlook
        # replaces the event it already has instead of keeping the old time.
        event.add("dtstamp", stamp)
        event.add("sequence", ws.sequence or 0)
        if ws.updated_at:
            event.add("last-modified", ws.updated_at)
        page = f"{base_url.rstrip('/')}/c/{cohort.slug}/sessions/{ws.number}"
        lines = [f"研修ページ: {page}"]
        if ws.meeting_url:
            lines.append(f"オンライン会議: {ws.meeting_url}")
            event.add("location", ws.meeting_url)
        event.add("description", "\n".join(lines))
        event.add("url", page)
        cal.add_component(event)
    return cal.to_ical()
