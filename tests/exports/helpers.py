"""Cohorts of a chosen size for query-count tests (5 vs 50 teams), and file readers."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from lms.channels.models import Channel
from lms.channels.services import ensure_team_rooms, post_message
from lms.cohorts.models import Municipality
from lms.cohorts.services import enrol, ensure_user
from lms.extensions import db
from lms.teams.services import form_teams


def sized_cohort(make_cohort, teams: int, slug: str):
    """A cohort with `teams` teams of one municipality each, one participant per
    municipality, attendance-free, and one message per channel."""
    cohort = make_cohort(slug=slug, organizer_email=f"org-{slug}@example.jp")
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.code)
                                        .limit(teams)).all()
    assert len(municipalities) == teams
    for i, m in enumerate(municipalities):
        user = ensure_user(f"{slug}-p{i}@example.jp", f"受講者{i}")
        enrol(cohort, user, "participant", m.code, "企画課")
    made = form_teams(cohort, teams)
    ensure_team_rooms(cohort, made)
    author = ensure_user(f"{slug}-p0@example.jp", "受講者0")
    for channel in db.session.scalars(select(Channel).where(Channel.cohort_id == cohort.id)):
        post_message(author, channel, f"{channel.name}への投稿")
    db.session.commit()
    return cohort


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a BOM for Excel"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline="")))


def read_xlsx(data: bytes):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data)).active
