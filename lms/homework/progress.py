"""The status matrix: people, municipalities or teams × homework, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.cohorts.models import Cohort, CohortMunicipality, Membership
from lms.db import utcnow
from lms.extensions import db
from lms.homework.models import Homework, Submission
from lms.homework.services import latest_by_owner, list_homework
from lms.teams.models import Team

STATUS_LABELS = {"pending": "期限前", "missing": "未提出(期限切れ)", "submitted": "提出済",
                 "late": "遅延", "revise": "要修正", "ok": "確認済", "partial": "一部提出",
                 "none": "対象外"}
# Icons beside the words (never colour alone): fonts without emoji still draw these.
STATUS_ICONS = {"pending": "○", "missing": "✕", "submitted": "●", "late": "▲", "revise": "↻",
                "ok": "✓", "partial": "◐", "none": "－"}
GROUPINGS = {"person": "受講者", "municipality": "自治体", "team": "チーム"}


@dataclass
class Cell:
    status: str
    done: int
    total: int
    submission: Submission | None = None
    due: bool = True  # the deadline has passed: counts in the row's progress

    @property
    def icon(self) -> str:
        return STATUS_ICONS[self.status]

    @property
    def label(self) -> str:
        text = STATUS_LABELS[self.status]
        if self.status == "ok" and self.submission is not None and self.submission.late:
            text += "（遅延）"
        return f"{text} {self.done}/{self.total}" if self.total > 1 else text

    @property
    def needs_feedback(self) -> bool:
        return self.submission is not None and self.submission.review_status is None


@dataclass
class Row:
    key: str
    label: str
    sublabel: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def done(self) -> int:
        """Submitted among what is due (work handed in early does not inflate it)."""
        return sum(c.done for c in self.cells if c.due)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.cells if c.due)

    @property
    def needs_feedback(self) -> bool:
        return any(c.needs_feedback for c in self.cells)


@dataclass
class Column:
    homework: Homework
    done: int
    total: int


@dataclass
class Matrix:
    by: str
    columns: list[Column]
    rows: list[Row]


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    municipality_code: str | None
    team_id: int | None

    def owner(self, kind: str) -> str | None:
        if kind == "individual":
            return f"u:{self.user_id}"
        if kind == "municipality":
            return f"m:{self.municipality_code}" if self.municipality_code else None
        return f"t:{self.team_id}" if self.team_id is not None else None


@dataclass
class Directory:
    """The cohort's participants, municipalities and teams, with display names per owner."""

    people: list[Person]
    municipalities: list[CohortMunicipality]
    teams: list[Team]
    names: dict[str, str]


def directory(cohort: Cohort) -> Directory:
    """Three queries (plus eager loads), whatever the cohort's size."""
    cms = list(db.session.scalars(
        select(CohortMunicipality).where(CohortMunicipality.cohort_id == cohort.id)
        .options(selectinload(CohortMunicipality.municipality))
        .order_by(CohortMunicipality.municipality_code)))
    team_of = {cm.municipality_code: cm.team_id for cm in cms}
    teams = list(db.session.scalars(
        select(Team).where(Team.cohort_id == cohort.id).order_by(Team.number)))
    members = db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort.id,
                                 Membership.role == "participant")
        .options(selectinload(Membership.user))
        .order_by(Membership.municipality_code, Membership.id)).all()
    people = [Person(m.user_id, m.user.name, m.municipality_code,
                     team_of.get(m.municipality_code)) for m in members]
    names = {f"u:{p.user_id}": p.name for p in people}
    names.update({f"m:{cm.municipality_code}": cm.municipality.name for cm in cms})
    names.update({f"t:{t.id}": t.name for t in teams})
    return Directory(people, cms, teams, names)


def _cell(hw: Homework, owners: list[str], latest: dict, now: datetime) -> Cell:
    due = hw.due_at <= now
    if not owners:
        return Cell("none", 0, 0, due=due)
    subs = [latest.get((hw.id, o)) for o in owners]
    done = sum(1 for s in subs if s is not None)
    missing = "missing" if due else "pending"
    if len(owners) == 1:
        sub = subs[0]
        if sub is None:
            return Cell(missing, 0, 1, due=due)
        if sub.review_status == "revise":
            status = "revise"
        elif sub.review_status == "ok":
            status = "ok"
        else:
            status = "late" if sub.late else "submitted"
        return Cell(status, 1, 1, sub, due=due)
    present = [s for s in subs if s is not None]
    if any(s.review_status == "revise" for s in present):
        status = "revise"
    elif done == 0:
        status = missing
    elif done < len(owners):
        status = "partial"
    elif all(s.review_status == "ok" for s in present):
        status = "ok"
    else:
        status = "late" if any(s.late for s in present) else "submitted"
    return Cell(status, done, len(owners), due=due)


def status_matrix(cohort: Cohort, by: str = "person", now: datetime | None = None,
                  needs_feedback: bool = False) -> Matrix:
    """Rows by person, municipality or team; one column per homework with its progress.
    With `needs_feedback`, only rows holding a submission no one has reviewed yet."""
    now = now or utcnow()
    if by not in GROUPINGS:
        by = "person"
    homework = list_homework(cohort.id)
    d = directory(cohort)
    latest = latest_by_owner([h.id for h in homework])
    columns = []
    for hw in homework:
        owners = {o for p in d.people if (o := p.owner(hw.kind))}
        columns.append(Column(hw, sum(1 for o in owners if (hw.id, o) in latest), len(owners)))

    def owners_of(people: list[Person], hw: Homework) -> list[str]:
        return sorted({o for p in people if (o := p.owner(hw.kind))})

    groups: list[tuple[str, str, str, list[Person]]] = []
    if by == "person":
        groups = [(f"u:{p.user_id}", p.name, d.names.get(f"m:{p.municipality_code}", ""), [p])
                  for p in d.people]
    elif by == "municipality":
        groups = [(f"m:{cm.municipality_code}", cm.municipality.name,
                   d.names.get(f"t:{cm.team_id}", ""),
                   [p for p in d.people if p.municipality_code == cm.municipality_code])
                  for cm in d.municipalities]
    else:
        groups = [(f"t:{t.id}", t.name, "", [p for p in d.people if p.team_id == t.id])
                  for t in d.teams]
    rows = []
    for key, label, sublabel, people in groups:
        row = Row(key, label, sublabel)
        row.cells = [_cell(hw, owners_of(people, hw), latest, now) for hw in homework]
        if not needs_feedback or row.needs_feedback:
            rows.append(row)
    return Matrix(by, columns, rows)
