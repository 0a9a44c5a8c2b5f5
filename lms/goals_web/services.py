"""Trainers correct the goal checker: record, show to the team, count, export."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from lms.auth.models import User
from lms.cohorts.access import STAFF_ROLES
from lms.cohorts.models import Cohort, Membership
from lms.errors import Forbidden, ValidationError
from lms.extensions import db
from lms.goals import MAX_GOAL_CHARS, check_goal
from lms.goals.text import normalize

from .models import LABELS, MAX_NOTE_CHARS, GoalCorrection


def text_key(text: str) -> str:
    """Corrections are matched on the text as the checker normalises it (NFKC, spaces)."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def staff_cohort_ids(user: User) -> set[int]:
    return set(db.session.scalars(select(Membership.cohort_id).where(
        Membership.user_id == user.id, Membership.role.in_(STAFF_ROLES))))


def member_cohort_ids(user: User) -> set[int]:
    return set(db.session.scalars(select(Membership.cohort_id).where(
        Membership.user_id == user.id)))


def may_correct(user: User, cohort: Cohort | None) -> bool:
    """Trainers and organizers of the cohort; on the cohort-less page, of any cohort."""
    staff = staff_cohort_ids(user)
    return cohort.id in staff if cohort is not None else bool(staff)


def record_correction(trainer: User, text: str, label: str, note: str,
                      cohort: Cohort | None = None) -> GoalCorrection:
    """Store 「判定が違う」 with the right label, the note and the checker's verdict now."""
    if not may_correct(trainer, cohort):
        raise Forbidden("判定の訂正は講師・主催者だけができます。")
    norm = normalize(text)
    if not norm:
        raise ValidationError("訂正する目標の文が空です。", code="empty_text")
    if len(text) > MAX_GOAL_CHARS:
        raise ValidationError(f"目標は{MAX_GOAL_CHARS}文字以内にしてください。", code="too_long")
    if label not in LABELS:
        raise ValidationError("正しい判定は「手段」「成果」「境界」から選んでください。",
                              code="invalid_label")
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError(f"コメントは{MAX_NOTE_CHARS}文字以内にしてください。",
                              code="too_long")
    correction = GoalCorrection(
        text=norm, text_key=text_key(norm), checker_verdict=check_goal(norm).verdict,
        label=label, note=note, trainer_id=trainer.id,
        cohort_id=cohort.id if cohort is not None else None)
    db.session.add(correction)
    db.session.flush()
    return correction


def _visible_to(user: User):
    """Corrections a user may read: made in their cohorts, or on the open checker page by a
    trainer of one of their cohorts, or by themselves."""
    cohorts = member_cohort_ids(user)
    trainers = select(Membership.user_id).where(
        Membership.cohort_id.in_(cohorts), Membership.role.in_(STAFF_ROLES))
    return or_(
        GoalCorrection.cohort_id.in_(cohorts),
        (GoalCorrection.cohort_id.is_(None)) & GoalCorrection.trainer_id.in_(trainers),
        GoalCorrection.trainer_id == user.id,
    )


def trainer_word(user: User, text: str, limit: int = 3) -> list[GoalCorrection]:
    """The newest corrections of this very text the user may read (the trainer's word)."""
    return list(db.session.scalars(
        select(GoalCorrection).options(joinedload(GoalCorrection.trainer))
        .where(GoalCorrection.text_key == text_key(text), _visible_to(user))
        .order_by(GoalCorrection.created_at.desc(), GoalCorrection.id.desc()).limit(limit)))


def correction_summary(user: User, limit: int = 10) -> tuple[int, list[GoalCorrection]]:
    """For staff on the checker page: how many corrections they can see, and the newest."""
    count = db.session.scalar(
        select(func.count(GoalCorrection.id)).where(_visible_to(user))) or 0
    recent = list(db.session.scalars(
        select(GoalCorrection).options(joinedload(GoalCorrection.trainer))
        .where(_visible_to(user))
        .order_by(GoalCorrection.created_at.desc(), GoalCorrection.id.desc()).limit(limit)))
    return count, recent


def export_rows() -> list[dict[str, str]]:
    """Every corrected text once (its newest correction), in the dev set's TSV columns."""
    rows = db.session.execute(
        select(GoalCorrection, Cohort.slug).outerjoin(Cohort, Cohort.id == GoalCorrection.cohort_id)
        .options(joinedload(GoalCorrection.trainer))
        .order_by(GoalCorrection.created_at.desc(), GoalCorrection.id.desc())).all()
    seen: set[str] = set()
    out = []
    for c, slug in rows:
        if c.text_key in seen:
            continue
        seen.add(c.text_key)
        out.append({
            "id": f"t{c.id}",
            "text": _cell(re.sub(r"(?<![。．.!?！？])\n", "。", c.text)),  # lines stay sentences
            "label": c.label,
            "origin": "trainer",
            "source": _cell(f"講師による訂正 {c.created_at:%Y-%m-%d} {slug or '目標チェッカー'} "
                            f"(チェッカーの判定: {c.checker_verdict})"),
            "note": _cell(c.note),
        })
    return sorted(out, key=lambda r: int(r["id"][1:]))


def _cell(value: str) -> str:
    """TSV without quoting (as the dev set is read): no tabs or line breaks inside a cell."""
    return " ".join((value or "").replace("\t", " ").split())
