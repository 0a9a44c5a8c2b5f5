"""Calendar (issue 13): SEQUENCE grows with every change, a real DTSTAMP, and a personal
subscription URL with its own revocable token."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from lms.auth.services import get_user_by_email
from lms.db import utcnow
from lms.sessions.models import WorkshopSession
from lms.sessions.services import schedule_session
from lms.timefmt import to_tokyo
from tests.conftest import csrf_from

SLUG = "tokyo-dx-2021"


def _events(body: bytes) -> dict[str, object]:
    return {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def _third(db, demo) -> WorkshopSession:
    return db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.cohort_id == demo.id, WorkshopSession.number == 3))


def _reschedule(ws, demo, **changes):
    start, end = to_tokyo(ws.starts_at), to_tokyo(ws.ends_at)
    args = dict(title=ws.title, day=start.date(), start=start.time(), end=end.time(),
                meeting_url=ws.meeting_url, agenda_md=ws.agenda_md,
                materials_md=ws.materials_md, recording_url=ws.recording_url,
                summary_md=ws.summary_md)
    args.update(changes)
    schedule_session(demo, ws, **args)


def test_ics_sequence_increases_on_every_change_and_dtstamp_is_now(login_as, demo, db):
    client = login_as("p01@example.jp")
    uid = f"cohort-{demo.id}-session-3@lms"
    before = utcnow()
    first = _events(client.get(f"/c/{SLUG}/calendar.ics").data)[uid]
    assert int(first["sequence"]) == 0
    stamp = first["dtstamp"].dt
    assert stamp >= before - timedelta(seconds=2)  # when the file was made, not the start
    ws = _third(db, demo)
    _reschedule(ws, demo, day=to_tokyo(ws.starts_at).date() + timedelta(days=1))
    db.session.commit()
    second = _events(client.get(f"/c/{SLUG}/calendar.ics").data)[uid]
    assert int(second["sequence"]) == 1
    assert second["dtstart"].dt == ws.starts_at
    _reschedule(ws, demo, meeting_url="https://teams.example.jp/new")
    db.session.commit()
    assert int(_events(client.get(f"/c/{SLUG}/calendar.ics").data)[uid]["sequence"]) == 2
    # A change the calendar does not show (the recording) keeps the sequence.
    _reschedule(ws, demo, recording_url="https://video.example.jp/3")
    db.session.commit()
    assert int(_events(client.get(f"/c/{SLUG}/calendar.ics").data)[uid]["sequence"]) == 2


def test_personal_calendar_feed_issue_read_and_revoke(login_as, client, demo, db):
    login_as("p01@example.jp")
    page = client.get("/calendar/feed").get_data(as_text=True)
    assert "まだ発行していません" in page
    issued = client.post("/calendar/feed", data={"csrf_token": csrf_from(page),
                                                 "action": "issue"}).get_data(as_text=True)
    url = re.search(r'value="(http://[^"]+\.ics)"', issued).group(1)
    path = url.split("localhost", 1)[1]
    client.post("/logout")
    feed = client.get(path)  # no login: Outlook fetches it by itself
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = _events(feed.data)
    assert len(events) == 5 and f"cohort-{demo.id}-session-3@lms" in events
    # A new URL stops the old one; "stop" stops every one.
    login_as("p01@example.jp")
    page = client.get("/calendar/feed").get_data(as_text=True)
    assert "発行済み" in page
    again = client.post("/calendar/feed", data={"csrf_token": csrf_from(page),
                                                "action": "issue"}).get_data(as_text=True)
    new_path = re.search(r'value="http://localhost([^"]+\.ics)"', again).group(1)
    assert client.get(path).status_code == 404
    assert client.get(new_path).status_code == 200
    client.post("/calendar/feed", data={"csrf_token": csrf_from(again), "action": "revoke"})
    assert client.get(new_path).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_calendar_feed_of_a_deactivated_user_stops(client, demo, db):
    from lms.sessions.feed import issue_feed

    user = get_user_by_email("p02@example.jp")
    token = issue_feed(user)
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404
