"""Marking a 「DX導入事例」 post as a case, editing it, and searching the library."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.audit.services import record, snapshot
from lms.auth.models import User
from lms.cases.models import FIELDS, Case
from lms.channels.models import Message
from lms.channels.services import normalise_for_search
from lms.cohorts.models import Cohort
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db

AUDITED = ("municipality", "field", "target", "effect", "links")
LIMITS = {"municipality": 50, "target": 200, "effect": 2000}


@dataclass
class CaseFields:
    municipality: str
    field: str
    target: str
    effect: str
    links: list[str]


def clean_fields(fields: CaseFields) -> CaseFields:
    """Trimmed fields; raises ValidationError naming the field that breaks a rule."""
    for name, limit in LIMITS.items():
        value = (getattr(fields, name) or "").strip()
        if "\x00" in value:
            raise ValidationError("使えない文字が含まれています。", extra={"field": name})
        if len(value) > limit:
            raise ValidationError(f"{limit}文字以内で入力してください。", extra={"field": name})
        setattr(fields, name, value)
    if fields.field not in FIELDS:
        raise ValidationError("分野を一覧から選んでください。", extra={"field": "field"})
    if not fields.target:
        raise ValidationError("対象手続・業務を入力してください。", extra={"field": "target"})
    links = [link.strip() for link in fields.links if link.strip()]
    if len(links) > 10 or any(not link.startswith(("https://", "http://")) or len(link) > 500
                              or any(c.isspace() for c in link) for link in links):
        raise ValidationError("参考リンクは http:// か https:// で始まるURLを1行に1つ、10件まで"
                              "入力してください。", extra={"field": "links"})
    fields.links = links
    return fields


def case_for_message(message: Message) -> Case | None:
    return db.session.scalar(select(Case).where(Case.message_id == message.id))


def save_case(actor: User, cohort: Cohort, message: Message, fields: CaseFields) -> Case:
    """Create or update the case of a post (the caller checked the rights)."""
    fields = clean_fields(fields)
    case = case_for_message(message)
    before = snapshot(case, AUDITED) if case is not None else None
    if case is None:
        case = Case(message_id=message.id, cohort_id=cohort.id, created_by_id=actor.id)
        db.session.add(case)
    case.municipality = fields.municipality
    case.field = fields.field
    case.target = fields.target
    case.effect = fields.effect
    case.links = "\n".join(fields.links)
    case.updated_at = utcnow()
    case.search_text = normalise_for_search("\n".join(
        [fields.municipality, fields.field, fields.target, fields.effect, message.body]))
    db.session.flush()
    record(actor, "case.update", case, before, snapshot(case, AUDITED),
           label=f"{fields.municipality} {fields.target}")
    return case


def remove_case(actor: User, case: Case) -> None:
    """Unmark: the post stays in the channel, the library forgets it."""
    record(actor, "case.remove", case, snapshot(case, AUDITED),
           label=f"{case.municipality} {case.target}")
    db.session.delete(case)
    db.session.flush()


@dataclass
class CaseQuery:
    q: str = ""
    field: str = ""
    municipality: str = ""


def search_cases(query: CaseQuery, *, page: int = 1, per_page: int = 20):
    """Cases of every cohort, newest first; eager-loaded so a page costs a few queries."""
    stmt = select(Case).join(Message, Message.id == Case.message_id).where(
        Message.deleted_at.is_(None), Message.hidden_at.is_(None))
    for word in normalise_for_search(query.q).split():
        stmt = stmt.where(Case.search_text.contains(word, autoescape=True))
    if query.field:
        stmt = stmt.where(Case.field == query.field)
    if query.municipality:
        stmt = stmt.where(Case.municipality == query.municipality)
    stmt = stmt.order_by(Case.updated_at.desc(), Case.id.desc()).options(
        selectinload(Case.message).selectinload(Message.author), selectinload(Case.cohort))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def case_municipalities() -> list[str]:
    return list(db.session.scalars(select(Case.municipality).where(Case.municipality != "")
                                   .distinct().order_by(Case.municipality)))
