"""Homework from the course template, drafts, versioned submissions and trainer review."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.audit.services import record, snapshot
from lms.auth.models import User
from lms.cohorts.access import team_id_for
from lms.cohorts.models import Cohort, Membership
from lms.courses import HomeworkTemplate
from lms.db import per_request, utcnow
from lms.errors import BadRequest, Conflict, ValidationError
from lms.extensions import db
from lms.homework.access import owner_key, require_owner_key
from lms.homework.models import (
    KINDS,
    LATE_POLICIES,
    REVIEW_STATUSES,
    Homework,
    HomeworkDraft,
    Submission,
    SubmissionFile,
)
from lms.homework.notify import notify_feedback
from lms.homework.storage import CheckedUpload, Upload, check_uploads, remove_stored, store
from lms.markdown import render_markdown
from lms.sessions.models import WorkshopSession

DUE_TIME = time(23, 59)  # template deadlines fall at the end of the day, Asia/Tokyo
MAX_BODY = 50_000
MAX_FEEDBACK = 20_000


# --- Homework -------------------------------------------------------------------------------

def template_due_at(ws: WorkshopSession, offset_days: int, tz: str) -> datetime:
    """The session's local date + offset_days, at 23:59 in the cohort's timezone."""
    day = ws.starts_at.astimezone(ZoneInfo(tz)).date() + timedelta(days=offset_days)
    return datetime.combine(day, DUE_TIME, tzinfo=ZoneInfo(tz))


def create_homework_from_template(cohort: Cohort, ws: WorkshopSession, template: HomeworkTemplate,
                                  position: int) -> Homework:
    homework = Homework(
        cohort_id=cohort.id, session_id=ws.id, key=template.key, title=template.title,
        kind=template.kind, instructions_md=template.instructions_md,
        instructions_html=render_markdown(template.instructions_md),
        due_at=template_due_at(ws, template.due_offset_days, cohort.timezone),
        late_policy=template.late_policy, goal_setting=template.goal_setting,
        position=position)
    db.session.add(homework)
    return homework


def list_homework(cohort_id: int, session_id: int | None = None) -> list[Homework]:
    """The cohort's homework in session order, with each session loaded."""
    query = (select(Homework).join(WorkshopSession, Homework.session_id == WorkshopSession.id)
             .where(Homework.cohort_id == cohort_id)
             .options(selectinload(Homework.session))
             .order_by(WorkshopSession.number, Homework.position, Homework.id))
    if session_id is not None:
        query = query.where(Homework.session_id == session_id)
    # The dashboard's to-do and homework cards both ask: one query per request.
    return list(per_request(("homework", cohort_id, session_id),
                            lambda: list(db.session.scalars(query))))


def update_homework(homework: Homework, *, title: str, kind: str, instructions_md: str,
                    due_at: datetime, late_policy: str, actor: User | None = None) -> Homework:
    """Change a homework; raises ValidationError for a bad kind/policy, or a kind change
    once something was submitted (the versions would lose their owner). An acting user
    gets the change into the audit log."""
    if kind not in KINDS or late_policy not in LATE_POLICIES:
        raise ValidationError("種類または締切後の扱いが正しくありません。")
    if due_at.tzinfo is None:
        raise ValidationError("締切の日時にはタイムゾーンが必要です。")
    if kind != homework.kind and db.session.scalar(
            select(Submission.id).where(Submission.homework_id == homework.id).limit(1)):
        raise ValidationError("提出済みの宿題は種類（個人・自治体・チーム）を変えられません。")
    before = snapshot(homework, HOMEWORK_AUDITED)
    homework.title = title.strip()
    homework.kind = kind
    homework.instructions_md = instructions_md or ""
    homework.instructions_html = render_markdown(instructions_md)
    homework.due_at = due_at
    homework.late_policy = late_policy
    db.session.flush()
    if actor is not None:
        record(actor, "homework.update", homework, before, snapshot(homework, HOMEWORK_AUDITED),
               label=homework.title)
    return homework


HOMEWORK_AUDITED = ("title", "kind", "instructions_md", "due_at", "late_policy")


def is_closed(homework: Homework, now: datetime | None = None) -> bool:
    return homework.late_policy == "close" and (now or utcnow()) > homework.due_at


def days_left(homework: Homework, now: datetime | None = None) -> int:
    """Calendar days until the deadline in Tokyo (0 = due today, negative = overdue)."""
    tz = ZoneInfo("Asia/Tokyo")
    return (homework.due_at.astimezone(tz).date() - (now or utcnow()).astimezone(tz).date()).days


# --- Drafts ---------------------------------------------------------------------------------

def get_draft(homework: Homework, owner: str) -> HomeworkDraft | None:
    return db.session.scalar(select(HomeworkDraft).where(
        HomeworkDraft.homework_id == homework.id, HomeworkDraft.owner_key == owner))


def draft_to_dict(draft: HomeworkDraft | None) -> dict:
    if draft is None:
        return {"body": "", "revision": 0, "updated_at": None, "updated_by": None}
    return {"body": draft.body_md, "revision": draft.revision,
            "updated_at": draft.updated_at.isoformat(),
            "updated_by": draft.updated_by.name if draft.updated_by else None}


def _stale(homework: Homework, owner: str) -> Conflict:
    db.session.expire_all()
    current = get_draft(homework, owner)
    return Conflict("他の人が先に下書きを更新しました。"
                    "最新の下書きを読み込んでから続けてください。",
                    code="stale_revision", extra={"draft": draft_to_dict(current)})


def save_draft(homework: Homework, membership: Membership, user: User, *, body: str,
               revision: int) -> HomeworkDraft:
    """Save the shared draft if `revision` is the current one (0 for none yet).

    Raises Conflict (409, with the current draft in `extra`) on a stale revision, and
    ValidationError when the text is too long.
    """
    owner = require_owner_key(homework, membership)
    if len(body) > MAX_BODY:
        raise ValidationError(f"本文は{MAX_BODY:,}文字までです。")
    draft = get_draft(homework, owner)
    if draft is None:
        if revision != 0:
            raise _stale(homework, owner)
        draft = HomeworkDraft(homework_id=homework.id, owner_key=owner, body_md=body,
                              revision=1, updated_at=utcnow(), updated_by_id=user.id)
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except IntegrityError:
            raise _stale(homework, owner) from None
        return draft
    # One conditional UPDATE: of two colleagues saving the same revision, exactly one wins.
    result = db.session.execute(
        update(HomeworkDraft)
        .where(HomeworkDraft.id == draft.id, HomeworkDraft.revision == revision)
        .values(body_md=body, revision=HomeworkDraft.revision + 1, updated_at=utcnow(),
                updated_by_id=user.id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise _stale(homework, owner)
    db.session.refresh(draft)
    return draft


# --- Submissions ----------------------------------------------------------------------------

def _by_client_id(author: User, client_submission_id: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(
        Submission.author_id == author.id,
        Submission.client_submission_id == client_submission_id))


def submit_homework(homework: Homework, membership: Membership, author: User, *, body: str,
                    uploads: list[Upload], client_submission_id: str | None,
                    upload_folder: str, max_mb: int, max_files: int,
                    now: datetime | None = None) -> tuple[Submission, bool]:
    """A new version for the caller's owner; returns (submission, created).

    A repeated client_submission_id returns the earlier submission with created False.
    Raises ValidationError (closed homework, empty, too long), TooLarge (413),
    UnsupportedType (415), BadRequest (malformed id). Nothing is written to disk or the
    database before every check passed; the draft is never touched.
    """
    owner = require_owner_key(homework, membership)
    client_submission_id = (client_submission_id or "").strip() or None
    if client_submission_id and len(client_submission_id) > 64:
        raise BadRequest("client_submission_id は64文字までです。")
    if client_submission_id:
        existing = _by_client_id(author, client_submission_id)
        if existing is not None:
            if existing.homework_id != homework.id:
                raise ValidationError(
                    "この client_submission_id は別の宿題の提出に使われています。")
            return existing, False
    now = now or utcnow()
    if is_closed(homework, now):
        raise ValidationError("締切を過ぎたため、この宿題は提出を締め切りました。"
                              "下書きは残っています。",
                              code="closed")
    body = body or ""
    if len(body) > MAX_BODY:
        raise ValidationError(f"本文は{MAX_BODY:,}文字までです。")
    checked = check_uploads(uploads, max_mb=max_mb, max_files=max_files)
    if not body.strip() and not checked:
        raise ValidationError("本文を書くか、ファイルを添付してから提出してください。",
                              code="empty")
    stored: list[str] = []
    lock_owner(homework, owner)
    try:
        with db.session.begin_nested():
            version = (db.session.scalar(select(func.max(Submission.version)).where(
                Submission.homework_id == homework.id, Submission.owner_key == owner)) or 0) + 1
            submission = Submission(
                homework_id=homework.id, owner_key=owner, author_id=author.id,
                version=version, body_md=body, body_html=render_markdown(body),
                late=now > homework.due_at, client_submission_id=client_submission_id,
                submitted_at=now)
            submission.files = [_stored_file(upload_folder, c, stored) for c in checked]
            db.session.add(submission)
            db.session.flush()
    except IntegrityError:
        remove_stored(upload_folder, stored)
        existing = client_submission_id and _by_client_id(author, client_submission_id)
        if existing:
            return existing, False
        raise Conflict("同じ宿題が同時に提出されました。"
                       "履歴を確認してからもう一度提出してください。") from None
    except BaseException:
        remove_stored(upload_folder, stored)
        raise
    return submission, True


def lock_owner(homework: Homework, owner: str) -> None:
    """Serialise submissions of one owner to one homework until the transaction ends, so
    colleagues submitting at once get consecutive versions instead of a unique-key clash.
    PostgreSQL: a transaction-level advisory lock; SQLite writers are already serialised
    (BEGIN IMMEDIATE, lms/db.py)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(homework.id,
                                                             func.hashtext(owner))))


def _stored_file(folder: str, checked: CheckedUpload, stored: list[str]) -> SubmissionFile:
    name = store(folder, checked)
    stored.append(name)
    return SubmissionFile(original_name=checked.display_name, stored_name=name,
                          content_type=checked.file_type.content_type, size=checked.size)


def submission_to_dict(submission: Submission) -> dict:
    return {
        "id": submission.id, "homework_id": submission.homework_id,
        "version": submission.version, "late": submission.late,
        "body": submission.body_md, "body_html": submission.body_html,
        "submitted_at": submission.submitted_at.isoformat(),
        "author": {"id": submission.author_id, "name": submission.author.name},
        "files": [{"id": f.id, "name": f.original_name, "size": f.size,
                   "content_type": f.content_type} for f in submission.files],
        "review": {
            "status": submission.review_status, "label": submission.review_label or None,
            "feedback": submission.feedback_md, "feedback_html": submission.feedback_html,
            "reviewed_at": submission.reviewed_at.isoformat() if submission.reviewed_at else None,
        },
    }


def history(homework: Homework, owner: str) -> list[Submission]:
    """Every version of one owner's work, newest first, files and authors loaded."""
    return list(db.session.scalars(
        select(Submission).where(Submission.homework_id == homework.id,
                                 Submission.owner_key == owner)
        .options(selectinload(Submission.files), selectinload(Submission.author))
        .order_by(Submission.version.desc())))


def owner_keys(membership: Membership | None, team_id: int | None = None
               ) -> dict[str, str | None]:
    """The person's owner key for each kind of homework (individual, municipality, team);
    None where they own nothing of that kind (staff, no team yet). `team_id` saves a query."""
    if team_id is None:
        team_id = team_id_for(membership)
    return {kind: owner_key(kind, membership, team_id) for kind in KINDS}


def latest_by_owner(homework_ids: list[int], owners: list[str] | None = None
                    ) -> dict[tuple[int, str], Submission]:
    """The newest version per (homework, owner) in one query."""
    if not homework_ids:
        return {}
    query = select(Submission).where(Submission.homework_id.in_(homework_ids))
    if owners is not None:
        if not owners:
            return {}
        query = query.where(Submission.owner_key.in_(owners))

    def load() -> dict[tuple[int, str], Submission]:
        latest: dict[tuple[int, str], Submission] = {}
        for sub in db.session.scalars(query.order_by(Submission.version)):
            latest[(sub.homework_id, sub.owner_key)] = sub
        return latest

    key = ("latest", tuple(homework_ids), None if owners is None else tuple(owners))
    return dict(per_request(key, load))


def review_submission(submission: Submission, reviewer: User, *, status: str,
                      feedback: str, now: datetime | None = None) -> Submission:
    """Record the trainer's status (ok / revise) and Markdown feedback on one version."""
    if status not in REVIEW_STATUSES:
        raise ValidationError("状態は「確認済」か「要修正」を選んでください。")
    if len(feedback or "") > MAX_FEEDBACK:
        raise ValidationError(f"コメントは{MAX_FEEDBACK:,}文字までです。")
    before = snapshot(submission, ("review_status", "feedback_md"))
    submission.review_status = status
    submission.feedback_md = feedback or ""
    submission.feedback_html = render_markdown(feedback)
    submission.reviewed_at = now or utcnow()
    submission.reviewer_id = reviewer.id
    db.session.flush()
    record(reviewer, "homework.feedback", submission, before,
           snapshot(submission, ("review_status", "feedback_md")),
           cohort_id=submission.homework.cohort_id,
           label=f"{submission.homework.title}（第{submission.version}版）")
    notify_feedback(submission, reviewer)
    return submission


def sweep_orphan_uploads(upload_folder: str, *, older_than_s: float = 3600.0,
                         dry_run: bool = False) -> list[str]:
    """Remove uploaded files no submission points to (see storage.sweep_orphans); used by
    `lms sweep-uploads` and by the worker's periodic jobs."""
    from lms.homework.storage import sweep_orphans

    referenced = set(db.session.scalars(select(SubmissionFile.stored_name)))
    return sweep_orphans(upload_folder, referenced, older_than_s=older_than_s, dry_run=dry_run)
