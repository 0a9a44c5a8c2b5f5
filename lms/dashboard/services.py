"""Read models for the dashboard and the cohort overview, with bounded reading."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.channels.access import readable_channels
from lms.channels.models import Channel
from lms.channels.reading import unread_counts
from lms.cohorts.access import is_participant, is_staff, team_id_for
from lms.cohorts.models import Cohort, CohortMunicipality, Membership
from lms.dashboard.todo import TodoList, todo_for
from lms.db import utcnow
from lms.extensions import db
from lms.homework import services as homework_services
from lms.homework.models import Homework, Submission
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
    homework: list[HomeworkItem] = field(default_factory=list)
    unread: dict[int, int] = field(default_factory=dict)
    todo: TodoList | None = None

    @property
    def is_participant(self) -> bool:
        return is_participant(self.membership)

    @property
    def is_staff(self) -> bool:
        return is_staff(self.membership)


@dataclass
class HomeworkItem:
    homework: Homework
    latest: Submission | None
    days_left: int


def homework_items(membership: Membership, team_id: int | None, limit: int = 5
                   ) -> list[HomeworkItem]:
    """A participant's homework to act on: returned for revision first, then not yet
    submitted (upcoming deadlines before overdue ones). Three reading."""
    if not is_participant(membership):
        return []
    all_homework = homework_services.list_homework(membership.cohort_id)
    owners = homework_services.owner_keys(membership, team_id)
    latest = homework_services.latest_by_owner(
        [h.id for h in all_homework], [o for o in owners.values() if o])
    items = []
    for hw in all_homework:
        sub = latest.get((hw.id, owners[hw.kind]))
        if (sub is not None and sub.review_status == "revise") or (
                sub is None and owners[hw.kind] and not homework_services.is_closed(hw)):
            items.append(HomeworkItem(hw, sub, homework_services.days_left(hw)))
    items.sort(key=lambda i: (i.latest is None, i.days_left < 0, i.homework.due_at))
    return items[:limit]


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
        channels = readable_channels(m)
        cards.append(CohortCard(m, m.cohort, upcoming, team, channels,
                                homework_items(m, team_id),
                                unread_counts(user, [c.id for c in channels]),
                                todo_for(m, team_id, m.cohort.slug)))
    return cards
