"""Figures for the cohort dashboard (organizers and trainers), in a fixed number of queries.

Every figure is a Chart: labelled rows of numbers that the template draws as an SVG and
repeats as a table. Domains built later (survey ratings, proposal states and goal verdicts)
plug in through PANEL_PROVIDERS: add "module:function" — a function(cohort) returning a list
of Chart — and the dashboard shows them; a provider that cannot be imported is skipped."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from sqlalchemy import case, func, select

from lms.auth.models import User
from lms.channels.models import Channel, Message
from lms.cohorts.models import ROLE_LABELS, Cohort, Membership
from lms.db import utcnow
from lms.extensions import db
from lms.homework.models import Homework, Submission
from lms.homework.progress import status_matrix
from lms.sessions.models import ATTENDANCE_LABELS, Attendance, WorkshopSession
from lms.sessions.services import list_sessions
from lms.timefmt import TOKYO

WEEK_SECONDS = 7 * 24 * 3600
# "module:function" providers of extra charts (surveys, proposals …), see the docstring.
PANEL_PROVIDERS: list[str] = [
    "lms.dashboard.feature_charts:survey_charts",
    "lms.dashboard.feature_charts:proposal_charts",
]


@dataclass
class Series:
    key: str  # CSS class suffix: the colour, always with a text legend
    label: str


@dataclass
class Chart:
    """A figure: rows (label + one value per series); `unit` is shown in the table."""

    key: str
    title: str
    series: list[Series]
    rows: list[tuple[str, list[float]]]
    unit: str = ""
    kind: str = "bar"  # bar (stacked horizontal) | heat (rows × columns)
    columns: list[str] = field(default_factory=list)  # heat: column labels
    max_value: float | None = None
    note: str = ""

    @property
    def top(self) -> float:
        if self.max_value is not None:
            return self.max_value
        totals = [sum(values) for _, values in self.rows] if self.kind == "bar" else [
            v for _, values in self.rows for v in values]
        return max(totals, default=0) or 1


@dataclass
class Progress:
    sessions: list[WorkshopSession]
    done: int
    next_number: int | None


def progress(sessions: list[WorkshopSession], now: datetime | None = None) -> Progress:
    now = now or utcnow()
    done = sum(1 for s in sessions if s.ends_at < now)
    upcoming = next((s.number for s in sessions if s.ends_at >= now), None)
    return Progress(sessions, done, upcoming)


def invitations_chart(cohort: Cohort) -> Chart:
    """Who has set a password (accepted the invitation), by role: one query."""
    has_password = case((User.password_hash.isnot(None), 1), else_=0)
    rows = db.session.execute(
        select(Membership.role, func.sum(has_password), func.count())
        .join(User, User.id == Membership.user_id)
        .where(Membership.cohort_id == cohort.id).group_by(Membership.role)).all()
    by_role = {role: (int(accepted or 0), int(total)) for role, accepted, total in rows}
    return Chart("invitations", "招待の受け入れ（パスワード設定済み）",
                 [Series("done", "設定済み"), Series("todo", "未設定")],
                 [(ROLE_LABELS[role], [float(a), float(t - a)])
                  for role in ("participant", "trainer", "organizer")
                  if role in by_role for a, t in [by_role[role]]], unit="人")


def attendance_chart(cohort: Cohort, sessions: list[WorkshopSession]) -> Chart:
    """Present / partial / absent / not recorded per session: two queries."""
    participants = db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.cohort_id == cohort.id, Membership.role == "participant")) or 0
    counts = {(sid, status): n for sid, status, n in db.session.execute(
        select(Attendance.session_id, Attendance.status, func.count())
        .join(WorkshopSession, WorkshopSession.id == Attendance.session_id)
        .where(WorkshopSession.cohort_id == cohort.id)
        .group_by(Attendance.session_id, Attendance.status)).all()}
    rows = []
    for ws in sessions:
        values = [float(counts.get((ws.id, s), 0)) for s in ("present", "partial", "absent")]
        rows.append((ws.label, values + [float(max(participants - sum(values), 0))]))
    series = [Series(s, ATTENDANCE_LABELS[s]) for s in ("present", "partial", "absent")]
    return Chart("attendance", "各回の出欠", series + [Series("none", "未記録")], rows,
                 unit="人", max_value=float(participants) or 1)


def completion_chart(cohort: Cohort, by: str) -> Chart:
    """Share of homework submitted (done / due) per team or municipality."""
    matrix = status_matrix(cohort, by)
    rows = []
    for row in matrix.rows:
        pct = round(100 * row.done / row.total, 1) if row.total else 0.0
        rows.append((row.label, [pct, round(100 - pct, 1)]))
    title = {"team": "宿題の提出率（チーム別）", "municipality": "宿題の提出率（自治体別）"}[by]
    return Chart(f"completion-{by}", title, [Series("done", "提出済"), Series("todo", "未提出")],
                 rows, unit="%", max_value=100.0)


def _week_index(column, start: datetime):
    """Whole weeks between the cohort's start and a timestamp, in SQL (SQLite or PostgreSQL)."""
    if db.engine.dialect.name == "sqlite":
        seconds = func.strftime("%s", column) - int(start.timestamp())
        return func.cast(seconds / WEEK_SECONDS, db.Integer)
    return func.floor((func.extract("epoch", column) - start.timestamp()) / WEEK_SECONDS)


def _start(cohort: Cohort) -> datetime:
    return datetime.combine(cohort.starts_on, time(), tzinfo=TOKYO).astimezone(UTC)


def _weeks(cohort: Cohort, found: set[int]) -> list[int]:
    last = max(found | {((utcnow() - _start(cohort)).days // 7)}) if found else 0
    first = min(found | {0}) if found else 0
    last = min(max(last, 0), first + 52)
    return list(range(max(first, 0), last + 1))


def submissions_over_time(cohort: Cohort) -> Chart:
    """Homework versions submitted per week since the start: one query."""
    week = _week_index(Submission.submitted_at, _start(cohort)).label("week")
    counts = dict(db.session.execute(
        select(week, func.count()).join(Homework, Homework.id == Submission.homework_id)
        .where(Homework.cohort_id == cohort.id).group_by(week)).all())
    counts = {int(k): int(v) for k, v in counts.items() if k is not None}
    weeks = _weeks(cohort, set(counts))
    return Chart("submissions-weekly", "宿題の提出（週ごと）", [Series("done", "提出")],
                 [(f"{w + 1}週目", [float(counts.get(w, 0))]) for w in weeks], unit="件")


def activity_chart(cohort: Cohort) -> Chart:
    """Messages per channel (team rooms included) and week: two queries."""
    channels = db.session.execute(
        select(Channel.id, Channel.name, Channel.kind).where(Channel.cohort_id == cohort.id)
        .order_by(Channel.kind, Channel.position, Channel.id)).all()
    week = _week_index(Message.created_at, _start(cohort)).label("week")
    counts = {}
    for channel_id, w, n in db.session.execute(
            select(Message.channel_id, week, func.count())
            .join(Channel, Channel.id == Message.channel_id)
            .where(Channel.cohort_id == cohort.id, Message.deleted_at.is_(None))
            .group_by(Message.channel_id, week)).all():
        if w is not None:
            counts[(channel_id, int(w))] = int(n)
    weeks = _weeks(cohort, {w for _, w in counts})
    rows = [(name, [float(counts.get((cid, w), 0)) for w in weeks])
            for cid, name, _kind in channels]
    return Chart("activity", "チャンネル・チームルームの投稿数（週ごと）",
                 [Series("heat", "投稿数")], rows, unit="件", kind="heat",
                 columns=[f"{w + 1}週目" for w in weeks],
                 note="投稿のないチームルームは、講師の声かけが必要かもしれません。")


def extra_charts(cohort: Cohort) -> list[Chart]:
    charts = []
    for spec in PANEL_PROVIDERS:
        module_name, _, function = spec.partition(":")
        try:
            provider = getattr(importlib.import_module(module_name), function)
        except (ImportError, AttributeError):
            continue  # that domain is not installed (yet)
        charts.extend(provider(cohort))
    return charts


def cohort_dashboard(cohort: Cohort) -> dict:
    sessions = list_sessions(cohort.id)
    return {
        "progress": progress(sessions),
        "charts": [invitations_chart(cohort), attendance_chart(cohort, sessions),
                   completion_chart(cohort, "team"), completion_chart(cohort, "municipality"),
                   submissions_over_time(cohort), activity_chart(cohort),
                   *extra_charts(cohort)],
    }
