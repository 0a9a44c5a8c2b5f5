"""Creating the cohort's channels and the team rooms."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from lms.channels.models import Channel
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.teams.models import Team


def create_cohort_channel(cohort: Cohort, *, key: str, name: str, description: str,
                          post_roles: Iterable[str], position: int) -> Channel:
    channel = db.session.scalar(select(Channel).where(Channel.cohort_id == cohort.id,
                                                      Channel.key == key))
    if channel is None:
        channel = Channel(cohort_id=cohort.id, key=key, kind="cohort")
        db.session.add(channel)
    channel.name, channel.description, channel.position = name, description, position
    channel.post_roles = ",".join(post_roles)
    db.session.flush()
    return channel


def ensure_team_rooms(cohort: Cohort, teams: Iterable[Team]) -> list[Channel]:
    """One private room per team, named after the team; existing rooms are kept."""
    existing = {c.team_id: c for c in db.session.scalars(
        select(Channel).where(Channel.cohort_id == cohort.id, Channel.kind == "team"))}
    rooms = []
    for team in teams:
        room = existing.get(team.id)
        if room is None:
            room = Channel(cohort_id=cohort.id, key=f"team-{team.number}", kind="team",
                           team_id=team.id, position=team.number)
            db.session.add(room)
        room.name = f"{team.name}のチームルーム"
        room.description = f"{team.name}のメンバーと講師・主催者だけが読めます。"
        rooms.append(room)
    db.session.flush()
    return rooms
