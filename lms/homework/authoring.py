"""Trainers add homework to a session and remove homework that nobody has submitted."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.cohorts.models import Cohort
from lms.errors import ValidationError
from lms.extensions import db
from lms.homework.models import KINDS, LATE_POLICIES, Homework, HomeworkDraft, Submission
from lms.homework.notify import notify_homework_added
from lms.markdown import render_markdown
from lms.sessions.models import WorkshopSession

MAX_TITLE = 200
MAX_INSTRUCTIONS = 20_000
KEY_LENGTH = 64
SLUG_LENGTH = 40
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _invalid(field: str, message: str) -> ValidationError:
    # `field` names the input (form field / JSON key) so both can show the error beside it.
    return ValidationError(message, extra={"field": field})


def check_homework_fields(*, title: str, kind: str, instructions_md: str, due_at: datetime,
                          late_policy: str) -> str:
    """The stripped title if every field keeps the rules; raises ValidationError naming the
    first field that does not (title, kind, instructions, due_at, late_policy)."""
    title = (title or "").strip()
    if not title:
        raise _invalid("title", "タイトルを入力してください。")
    if len(title) > MAX_TITLE:
        raise _invalid("title", f"タイトルは{MAX_TITLE}文字以内で入力してください。")
    if kind not in KINDS:
        raise _invalid("kind", "提出の単位は 個人・自治体ごと・チームごと から選んでください。")
    if len(instructions_md or "") > MAX_INSTRUCTIONS:
        raise _invalid("instructions", f"説明は{MAX_INSTRUCTIONS:,}文字以内で入力してください。")
    if due_at.tzinfo is None:
        raise _invalid("due_at", "締切の日時にはタイムゾーンが必要です。")
    if not FIRST_YEAR <= due_at.year <= LAST_YEAR:
        raise _invalid("due_at", f"締切は{FIRST_YEAR}年から{LAST_YEAR}年までの日時にしてください。")
    if late_policy not in LATE_POLICIES:
        raise _invalid("late_policy", "締切後の扱いは accept か close を選んでください。")
    return title


def key_base(ws: WorkshopSession, title: str) -> str:
    """`s<number>_<ascii slug of the title>`, like the course's keys ("s1_charter");
    a title without latin letters or digits gives `s<number>_hw`."""
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", title).lower())
    slug = "_".join(words)[:SLUG_LENGTH].strip("_")
    return f"s{ws.number}_{slug or 'hw'}"


def unique_key(cohort_id: int, base: str) -> str:
    """`base`, or `base_2`, `base_3`, … — the first not yet used in the cohort."""
    taken = set(db.session.scalars(select(Homework.key).where(
        Homework.cohort_id == cohort_id, Homework.key.startswith(base, autoescape=True))))
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def add_homework(cohort: Cohort, *, session_number: int, title: str, kind: str,
                 instructions_md: str, due_at: datetime, late_policy: str,
                 goal_setting: bool, actor=None) -> Homework:
    """A new homework at the end of the session's list, with a key unique in the cohort.

    Raises ValidationError (with `extra["field"]`) when a field breaks a rule or the cohort
    has no session with that number.
    """
    ws = db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.cohort_id == cohort.id, WorkshopSession.number == session_number))
    if ws is None:
        raise _invalid("session_number", f"第{session_number}回はこの研修にありません。")
    title = check_homework_fields(title=title, kind=kind, instructions_md=instructions_md,
                                  due_at=due_at, late_policy=late_policy)
    position = (db.session.scalar(select(func.max(Homework.position)).where(
        Homework.session_id == ws.id)) or 0) + 1
    base = key_base(ws, title)
    for _attempt in range(5):
        homework = Homework(
            cohort_id=cohort.id, session_id=ws.id, key=unique_key(cohort.id, base),
            title=title, kind=kind, instructions_md=instructions_md or "",
            instructions_html=render_markdown(instructions_md or ""), due_at=due_at,
            late_policy=late_policy, goal_setting=bool(goal_setting), position=position)
        try:
            with db.session.begin_nested():
                db.session.add(homework)
        except IntegrityError:
            continue  # a colleague took the same key a moment ago: take the next one
        if actor is not None:
            record(actor, "homework.create", homework, after={
                "session": ws.number, "title": title, "kind": kind, "due_at": due_at,
                "late_policy": late_policy}, label=title)
        notify_homework_added(homework)
        return homework
    raise ValidationError("宿題を追加できませんでした。もう一度お試しください。")


def count_submissions(homework: Homework) -> int:
    return db.session.scalar(select(func.count(Submission.id)).where(
        Submission.homework_id == homework.id)) or 0


def remove_homework(homework: Homework, actor=None) -> int:
    """Delete a homework nobody has submitted, with its drafts; returns how many drafts went.

    Raises ValidationError (code "has_submissions", 422) once any version was submitted:
    submissions, their files and reviews are never removed this way.
    """
    # Lock the row first: a submission inserted meanwhile waits on it (its foreign key) and
    # then fails, instead of being deleted with the homework by the cascade.
    db.session.execute(select(Homework.id).where(Homework.id == homework.id).with_for_update())
    submitted = count_submissions(homework)
    if submitted:
        raise ValidationError(
            f"この宿題には提出物が{submitted}件あるため削除できません。"
            "提出を止めるには、編集で「締切後は受け付けない」を選んでください。",
            code="has_submissions", extra={"submissions": submitted})
    drafts = db.session.execute(delete(HomeworkDraft).where(
        HomeworkDraft.homework_id == homework.id)).rowcount
    if actor is not None:
        record(actor, "homework.delete", homework, before={
            "title": homework.title, "kind": homework.kind, "due_at": homework.due_at},
            label=homework.title)
    db.session.delete(homework)
    db.session.flush()
    return drafts
