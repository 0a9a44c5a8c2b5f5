"""A person's calendar subscription URL: every session of their cohorts, read by Outlook
without logging in. Only the token's hash is kept; a new URL revokes the old one."""

from __future__ import annotations

import secrets
from datetime import datetime

from icalendar import Calendar
from sqlalchemy import select, update

from lms.auth.models import User
from lms.auth.services import hash_token
from lms.cohorts.models import Cohort, Membership
from lms.db import utcnow
from lms.extensions import db
from lms.sessions.models import CalendarFeed
from lms.sessions.services import cohort_calendar, list_sessions


def active_feed(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.id.desc()).limit(1))


def revoke_feeds(user: User, now: datetime | None = None) -> int:
    """Stop every calendar URL of the user; returns how many were live."""
    return db.session.execute(
        update(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                   CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)).rowcount


def issue_feed(user: User, now: datetime | None = None) -> str:
    """A new secret token for the user's feed (shown once); the old URL stops working."""
    now = now or utcnow()
    revoke_feeds(user, now)
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(user_id=user.id, token_hash=hash_token(token), created_at=now))
    db.session.flush()
    return token


def user_for_feed(token: str) -> User | None:
    feed = db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.token_hash == hash_token(token), CalendarFeed.revoked_at.is_(None)))
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    return user if user is not None and user.active else None


def personal_calendar(user: User, base_url: str) -> bytes:
    """One calendar with the sessions of every cohort the user belongs to."""
    cohorts = db.session.scalars(select(Cohort).join(Membership).where(
        Membership.user_id == user.id).order_by(Cohort.id)).all()
    merged = Calendar()
    merged.add("prodid", "-//jichitai-dx-lms//ja")
    merged.add("version", "2.0")
    merged.add("calscale", "GREGORIAN")
    merged.add("method", "PUBLISH")
    merged.add("x-wr-calname", "自治体DX研修")
    merged.add("x-wr-timezone", "Asia/Tokyo")
    for cohort in cohorts:
        one = Calendar.from_ical(cohort_calendar(cohort, list_sessions(cohort.id), base_url))
        for event in one.walk("VEVENT"):
            merged.add_component(event)
    return merged.to_ical()
