"""Homework events for the notifications below: new homework, feedback, due reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.cohorts.models import Cohort, CohortMunicipality, Membership
from lms.db import utcnow
from lms.extensions import db
from lms.homework.models import Homework, Submission
from lms.notifications.services import notify

REMIND_DAYS = (3, 1)  # a reminder 3 days before the deadline and the day before


@dataclass(frozen=True)
class Participant:
    user_id: int
    municipality_code: str | None
    team_id: int | None

    def owner(self, kind: str) -> str | None:
        if kind == "individual":
            return f"u:{self.user_id}"
        if kind == "municipality":
            return f"m:{self.municipality_code}" if self.municipality_code else None
        return f"t:{self.team_id}" if self.team_id is not None else None


def participants(cohort_id: int) -> list[Participant]:
    """Every active participant of the cohort with their municipality and team, one query."""
    rows = db.session.execute(
        select(Membership.user_id, Membership.municipality_code, CohortMunicipality.team_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(CohortMunicipality, and_(
            CohortMunicipality.cohort_id == Membership.cohort_id,
            CohortMunicipality.municipality_code == Membership.municipality_code))
        .where(Membership.cohort_id == cohort_id, Membership.role == "participant",
               User.active.is_(True))
        .order_by(Membership.user_id)).all()
    return [Participant(*row) for row in rows]


def homework_url(slug: str, homework_id: int) -> str:
    return f"/c/{slug}/homework/{homework_id}"


def _cohort_slug(cohort_id: int) -> str:
    return db.session.scalar(select(Cohort.slug).where(Cohort.id == cohort_id))


def notify_homework_added(homework: Homework, actor: User | None = None) -> None:
    """Every participant of the cohort hears of a new homework."""
    slug = _cohort_slug(homework.cohort_id)
    notify([p.user_id for p in participants(homework.cohort_id)], "homework_new",
           f"新しい宿題「{homework.title}」が出ました（{homework.session.label}）。",
           homework_url(slug, homework.id), actor=actor, cohort_id=homework.cohort_id,
           dedupe_key=f"homework_new:{homework.id}")


def notify_feedback(submission: Submission, reviewer: User) -> None:
    """Whoever shares the submission's owner (person, municipality or team) hears of the
    trainer's review, once per status of a version (editing the words does not repeat it)."""
    homework = submission.homework
    slug = _cohort_slug(homework.cohort_id)
    owners = [p.user_id for p in participants(homework.cohort_id)
              if p.owner(homework.kind) == submission.owner_key]
    notify(owners, "feedback",
           f"「{homework.title}」（第{submission.version}版）に講師のフィードバックが届きました："
           f"{submission.review_label}。",
           f"/c/{slug}/submissions/{submission.id}", actor=reviewer,
           cohort_id=homework.cohort_id,
           dedupe_key=f"feedback:{submission.id}:{submission.review_status}")


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind participants whose work is not yet submitted, 3 days and 1 day before a
    deadline (calendar days in Tokyo). Idempotent: each reminder has a dedupe key, so the
    worker may run this as often as it likes. Returns how many notifications were made."""
    from lms.homework.services import days_left

    now = now or utcnow()
    due = list(db.session.scalars(
        select(Homework).where(Homework.due_at > now,
                               Homework.due_at <= now + timedelta(days=max(REMIND_DAYS) + 1))
        .options(selectinload(Homework.session)).order_by(Homework.cohort_id, Homework.id)))
    made = 0
    people: dict[int, list[Participant]] = {}
    slugs: dict[int, str] = {}
    for homework in due:
        left = days_left(homework, now)
        if left not in REMIND_DAYS:
            continue
        if homework.cohort_id not in people:
            people[homework.cohort_id] = participants(homework.cohort_id)
            slugs[homework.cohort_id] = _cohort_slug(homework.cohort_id)
        done = set(db.session.scalars(select(Submission.owner_key).where(
            Submission.homework_id == homework.id)))
        waiting = [p.user_id for p in people[homework.cohort_id]
                   if p.owner(homework.kind) and p.owner(homework.kind) not in done]
        when = "明日" if left == 1 else f"{left}日後"
        made += len(notify(
            waiting, "homework_due",
            f"宿題「{homework.title}」の締切は{when}です（まだ提出されていません）。",
            homework_url(slugs[homework.cohort_id], homework.id),
            cohort_id=homework.cohort_id, dedupe_key=f"homework_due:{homework.id}:{left}",
            now=now))
    return made
