"""Read models for the dashboard and the cohort overview, with bounded queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.channels.access import readable_channels
from lms.channels.models import Channel
from lms.cohorts.access import team_id_for
from lms.cohorts.models import Cohort, CohortMunicipality, Membership
from lms.db import utcnow
from lms.extensions import db
from lms.sessions.models import WorkshopSession
from lms.sessions.services import list_sessions
from lms.teams.models import Team


@dataclass
class CohortCard:
    membership: Membership
    cohort: Cohort
    next_session: WorkshopSession | None
    team: Team | None
    channels: list[Channel] = field(default_factory=list)


def teams_with_members(cohort_id: int) -> list[Team]:
    return list(db.session.scalars(
        select(Team).where(Team.cohort_id == cohort_id).order_by(Team.number)
        .options(selectinload(Team.members).selectinload(CohortMunicipality.municipality))))


def sessions_of(cohort_id: int) -> list[WorkshopSession]:
    return list_sessions(cohort_id)


def next_session(sessions: list[WorkshopSession]) -> WorkshopSession | None:
    now = utcnow()
    return next((s for s in sessions if s.ends_at >= now), None)


def dashboard_cards(user: User) -> list[CohortCard]:
    """One card per cohort the user belongs to: next session, team, readable channels."""
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id)
        .options(selectinload(Membership.cohort), selectinload(Membership.municipality))
        .order_by(Membership.id)).all()
    cards = []
    for m in memberships:
        team = None
        team_id = team_id_for(m)
        if team_id is not None:
            team = db.session.scalar(
                select(Team).where(Team.id == team_id).options(
                    selectinload(Team.members).selectinload(CohortMunicipality.municipality)))
        upcoming = db.session.scalar(
            select(WorkshopSession).where(WorkshopSession.cohort_id == m.cohort_id,
                                          WorkshopSession.ends_at >= utcnow())
            .order_by(WorkshopSession.starts_at).limit(1))
        cards.append(CohortCard(m, m.cohort, upcoming, team, readable_channels(m)))
    return cards
