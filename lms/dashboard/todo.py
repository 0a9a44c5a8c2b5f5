"""The personal to-do on the dashboard, by role: what needs this person now.

Participants: homework returned for revision, overdue (kept after the deadline until it is
submitted) and upcoming; sessions they missed with the catch-up still open; and whatever a
later feature adds through `register_todo_source` (surveys to answer, retro boards).
Trainers: submissions waiting for feedback (oldest first) and quiet team rooms.
Organizers: invitations not yet accepted (no password set)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.channels.services import team_room_activity
from lms.cohorts.models import Membership
from lms.db import utcnow
from lms.extensions import db
from lms.homework import services as homework_services
from lms.homework.access import owner_key
from lms.homework.models import Homework, Submission
from lms.sessions.models import Attendance, CatchupProgress, WorkshopSession
from lms.timefmt import ja_date

UPCOMING_SHOWN = 3  # the nearest deadlines; the homework list has the rest
SHOW = 5


@dataclass
class TodoItem:
    kind: str  # revise, overdue, upcoming, catchup, review, quiet_team, invite, or a source's
    label: str  # what to do, in Japanese (the link text)
    url: str
    detail: str = ""
    urgent: bool = False  # shown first, marked 「急ぎ」 in words
    due: datetime | None = None


@dataclass
class TodoList:
    items: list[TodoItem] = field(default_factory=list)
    summary: str = ""  # e.g. 「要講評 12件」


# Later features (surveys, retros) add items for a membership without the dashboard knowing
# them: a callable (membership, team_id, now) -> list[TodoItem], registered at app start.
TodoSource = Callable[[Membership, int | None, datetime], list[TodoItem]]
_sources: list[TodoSource] = []


def register_todo_source(source: TodoSource) -> None:
    if source not in _sources:
        _sources.append(source)


def _homework_todo(m: Membership, team_id: int | None, now: datetime, slug: str
                   ) -> list[TodoItem]:
    all_homework = homework_services.list_homework(m.cohort_id)
    owners = {kind: owner_key(kind, m, team_id) for kind in ("individual", "municipality",
                                                              "team")}
    latest = homework_services.latest_by_owner([h.id for h in all_homework],
                                               [o for o in owners.values() if o])
    items = []
    for hw in all_homework:
        owner = owners[hw.kind]
        if owner is None:
            continue
        sub = latest.get((hw.id, owner))
        url = f"/c/{slug}/homework/{hw.id}"
        left = homework_services.days_left(hw, now)
        title = f"{hw.title}（{hw.session.label}）"
        if sub is not None and sub.review_status == "revise":
            items.append(TodoItem("revise", title, url,
                                  "講師より：要修正（直して再提出してください）", True))
        elif sub is None and hw.due_at < now:
            closed = homework_services.is_closed(hw, now)
            items.append(TodoItem(
                "overdue", title, url,
                f"締切を{max(-left, 0)}日過ぎています（未提出）"
                + ("・受付終了のため講師に相談してください" if closed else "・遅れて提出できます"),
                True))
        elif sub is None:
            when = "今日が締切" if left == 0 else f"あと{left}日（{ja_date(hw.due_at)}締切）"
            items.append(TodoItem("upcoming", title, url, when, left <= 1, hw.due_at))
    order = {"revise": 0, "overdue": 1, "upcoming": 2}
    items.sort(key=lambda i: (order[i.kind], i.due or now))
    upcoming = [i for i in items if i.kind == "upcoming"]
    return [i for i in items if i.kind != "upcoming"] + upcoming[:UPCOMING_SHOWN]


def _catchup_todo(m: Membership, now: datetime, slug: str) -> list[TodoItem]:
    missed = db.session.execute(
        select(WorkshopSession, Attendance.status)
        .join(Attendance, Attendance.session_id == WorkshopSession.id)
        .where(WorkshopSession.cohort_id == m.cohort_id, Attendance.user_id == m.user_id,
               Attendance.status.in_(("absent", "partial")), WorkshopSession.ends_at < now)
        .order_by(WorkshopSession.number)).all()
    if not missed:
        return []
    ticked = dict(db.session.execute(
        select(CatchupProgress.session_id, func.count()).where(
            CatchupProgress.user_id == m.user_id,
            CatchupProgress.session_id.in_([ws.id for ws, _ in missed]))
        .group_by(CatchupProgress.session_id)).all())
    items = []
    for ws, status in missed:
        total = len(ws.catchup_tasks or [])
        done = ticked.get(ws.id, 0)
        if total and done >= total:
            continue
        what = "欠席" if status == "absent" else "一部のみ出席"
        paths = [p for p, ok in (("録画", ws.recording_url), ("要約", ws.summary_md),
                                 ("資料", ws.materials_md)) if ok]
        detail = f"{what}・キャッチアップ {done}/{total}項目"
        if paths:
            detail += "（" + "・".join(paths) + "あり）"
        items.append(TodoItem("catchup", f"{ws.label}「{ws.title}」のキャッチアップ",
                              f"/c/{slug}/sessions/{ws.number}#catchup", detail))
    return items


def _review_todo(m: Membership, slug: str) -> TodoList:
    """The latest version of each owner's work that has no review yet, oldest first."""
    newest = (select(Submission.homework_id, Submission.owner_key,
                     func.max(Submission.version).label("version"))
              .join(Homework, Homework.id == Submission.homework_id)
              .where(Homework.cohort_id == m.cohort_id)
              .group_by(Submission.homework_id, Submission.owner_key).subquery())
    waiting = list(db.session.scalars(
        select(Submission)
        .join(newest, (newest.c.homework_id == Submission.homework_id)
              & (newest.c.owner_key == Submission.owner_key)
              & (newest.c.version == Submission.version))
        .where(Submission.review_status.is_(None))
        .options(selectinload(Submission.homework), selectinload(Submission.author))
        .order_by(Submission.submitted_at, Submission.id)))
    items = [TodoItem("review", f"{s.homework.title}（{s.author.name}・第{s.version}版）",
                      f"/c/{slug}/submissions/{s.id}",
                      f"{ja_date(s.submitted_at)}に提出" + ("・遅延" if s.late else ""))
             for s in waiting[:SHOW]]
    return TodoList(items, f"要講評 {len(waiting)}件")


def _quiet_team_todo(m: Membership, now: datetime, slug: str) -> list[TodoItem]:
    rooms = team_room_activity(m.cohort_id, now)
    url = f"/c/{slug}/team-rooms"
    items = []
    quiet = [a.channel.team.name if a.channel.team else a.channel.name
             for a in rooms if a.quiet]
    if quiet:
        items.append(TodoItem("quiet_team", f"静かなチーム {len(quiet)}つ", url,
                              "直近7日間、受講者の投稿なし：" + "、".join(quiet)))
    for a in rooms:
        if not a.quiet and a.one_voice:
            name = a.channel.team.name if a.channel.team else a.channel.name
            items.append(TodoItem("quiet_team", f"{name}で話しているのが1自治体だけです", url,
                                  "発言なし：" + "、".join(a.silent)))
    return items


def _invite_todo(m: Membership, slug: str) -> list[TodoItem]:
    pending = db.session.scalar(
        select(func.count(Membership.id)).join(User, User.id == Membership.user_id)
        .where(Membership.cohort_id == m.cohort_id, Membership.user_id != m.user_id,
               User.password_hash.is_(None), User.active.is_(True))) or 0
    if not pending:
        return []
    return [TodoItem("invite", f"招待を受けていない人が{pending}人います",
                     f"/c/{slug}/enrolment",
                     "パスワード設定リンクを発行して、各自治体のメールで送ってください")]


def todo_for(m: Membership, team_id: int | None, slug: str,
             now: datetime | None = None) -> TodoList:
    """The to-do of one membership, most urgent first."""
    now = now or utcnow()
    if m.role == "participant":
        items = _homework_todo(m, team_id, now, slug) + _catchup_todo(m, now, slug)
        for source in _sources:
            items += source(m, team_id, now)
        items.sort(key=lambda i: not i.urgent)
        return TodoList(items)
    todo = _review_todo(m, slug)
    todo.items += _quiet_team_todo(m, now, slug)
    if m.role == "organizer":
        todo.items += _invite_todo(m, slug)
    return todo
