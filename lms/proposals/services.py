"""Proposals: one per team, conflict-safe saves, history and diff, submit, goal check."""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.cohorts.models import Cohort, CohortMunicipality
from lms.db import utcnow
from lms.errors import BadRequest, Conflict, ValidationError
from lms.extensions import db
from lms.goals import check_goal
from lms.proposals.access import Viewer
from lms.proposals.models import Proposal, ProposalVersion
from lms.proposals.signals import proposal_submitted
from lms.proposals.template import ProposalTemplate, proposal_template
from lms.teams.models import Team

MAX_SECTION = 20_000
_MARKUP = re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|\d{1,3}[.)]\s+|>\s?)")


# --- One proposal per team ------------------------------------------------------------------

def create_missing_proposals(cohort: Cohort) -> bool:
    """Give every team of the cohort its (empty) proposal; True when one was created (the
    caller commits). Safe when two requests race: the unique team_id decides."""
    teams = list(db.session.scalars(select(Team.id).where(Team.cohort_id == cohort.id)))
    have = set(db.session.scalars(select(Proposal.team_id).where(
        Proposal.cohort_id == cohort.id)))
    created = False
    for team_id in teams:
        if team_id in have:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(Proposal(cohort_id=cohort.id, team_id=team_id, sections={}))
            created = True
        except IntegrityError:
            pass  # another request created it first
    return created


def cohort_proposals(cohort: Cohort) -> list[Proposal]:
    """The cohort's proposals in team order, with team, municipalities, review and last
    editor loaded (a fixed number of queries however many teams)."""
    return list(db.session.scalars(
        select(Proposal).join(Team, Proposal.team_id == Team.id)
        .where(Proposal.cohort_id == cohort.id)
        .options(selectinload(Proposal.team).selectinload(Team.members)
                 .selectinload(CohortMunicipality.municipality),
                 selectinload(Proposal.review), selectinload(Proposal.updated_by))
        .order_by(Team.number)))


def ensure_team_proposal(team: Team) -> Proposal:
    """The team's proposal, created when it has none (teams_changed handler, demo)."""
    proposal = db.session.scalar(select(Proposal).where(Proposal.team_id == team.id))
    if proposal is None:
        proposal = Proposal(cohort_id=team.cohort_id, team_id=team.id, sections={})
        db.session.add(proposal)
        db.session.flush()
    return proposal


def readable(proposals: list[Proposal], viewer: Viewer) -> list[Proposal]:
    return [p for p in proposals if viewer.can_read(p)]


# --- Goal check -----------------------------------------------------------------------------

def goal_plain_text(markdown: str) -> str:
    """The goal section without Markdown list and heading marks, one sentence per line."""
    return "\n".join(_MARKUP.sub("", line) for line in (markdown or "").splitlines()
                     if line.strip())


@lru_cache(maxsize=512)
def _checked(text: str) -> dict:
    return check_goal(text).to_dict()


def goal_check(proposal: Proposal, template: ProposalTemplate) -> dict:
    """check_goal(...).to_dict() of the goal section (cached per text: pages compare teams)."""
    key = template.goal_key
    text = goal_plain_text(proposal.sections.get(key, "")) if key else ""
    return dict(_checked(text))


def has_means_goal(result: dict) -> bool:
    return result.get("verdict") == "means" or any(
        g.get("verdict") == "means" for g in result.get("goals") or [])


# --- Serialising ------------------------------------------------------------------------------

def sections_list(proposal_sections: dict, template: ProposalTemplate) -> list[dict]:
    return [{"key": s.key, "title": s.title, "body": proposal_sections.get(s.key, "")}
            for s in template.sections]


def review_to_dict(proposal: Proposal, viewer: Viewer) -> dict | None:
    """Staff: the working review (and when it was last released); the team: only what was
    released, or None before release; others (published readers): None."""
    review = proposal.review
    if review is None or not viewer.sees_review(proposal):
        return None
    if viewer.staff:
        return {"decision": review.decision, "scores": dict(review.scores or {}),
                "released_at": review.released_at.isoformat() if review.released_at else None,
                "released_decision": review.released_decision,
                "released_scores": dict(review.released_scores or {})}
    if review.released_at is None:
        return None
    return {"decision": review.released_decision, "scores": dict(review.released_scores or {}),
            "released_at": review.released_at.isoformat()}


def proposal_to_dict(proposal: Proposal, viewer: Viewer,
                     template: ProposalTemplate | None = None) -> dict:
    template = template or proposal_template(db.session.get(Cohort, proposal.cohort_id))
    body = {
        "id": proposal.id, "team_id": proposal.team_id, "status": proposal.status,
        "revision": proposal.revision, "sections": sections_list(proposal.sections, template),
        "goals": goal_check(proposal, template),
        "rubric": [{"key": r.key, "label": r.title, "description": r.description,
                    "max_score": r.max_score, "levels": list(r.levels)}
                   for r in template.rubric],
        "review": review_to_dict(proposal, viewer),
        "team": {"id": proposal.team.id, "name": proposal.team.name,
                 "municipalities": [cm.municipality.name for cm in proposal.team.members]},
        "updated_at": proposal.updated_at.isoformat(),
        "updated_by": ({"id": proposal.updated_by.id, "name": proposal.updated_by.name}
                       if proposal.updated_by else None),
        "submitted_at": proposal.submitted_at.isoformat() if proposal.submitted_at else None,
    }
    if viewer.staff:
        body["means_goal"] = proposal.means_goal
    return body


# --- Saving -----------------------------------------------------------------------------------

def check_sections(sections: object, template: ProposalTemplate) -> dict[str, str]:
    """The submitted sections if every key is the template's and every text acceptable.

    Raises BadRequest (not an object of strings) or ValidationError (unknown key, NUL,
    over MAX_SECTION characters), naming the section; nothing is stored before this passes."""
    if not isinstance(sections, dict):
        raise BadRequest("sections は章のキーと本文（文字列）のオブジェクトで送ってください。",
                         extra={"field": "sections"})
    keys = set(template.keys)
    for key, text in sections.items():
        if key not in keys:
            raise ValidationError(f"「{key}」という章はありません（使える章: "
                                  f"{', '.join(template.keys)}）。", code="unknown_section",
                                  extra={"field": "sections", "section": key})
        if not isinstance(text, str):
            raise BadRequest(f"章「{template.title(key)}」の本文は文字列で送ってください。",
                             extra={"field": "sections", "section": key})
        if "\x00" in text:
            raise ValidationError(f"章「{template.title(key)}」に使えない文字（NUL）が"
                                  "含まれています。", extra={"section": key})
        if len(text) > MAX_SECTION:
            raise ValidationError(
                f"章「{template.title(key)}」は{MAX_SECTION:,}文字までです"
                f"（現在{len(text):,}文字）。", code="too_long", extra={"section": key})
    return dict(sections)


def stale(proposal: Proposal, viewer: Viewer) -> Conflict:
    db.session.expire_all()
    current = db.session.get(Proposal, proposal.id)
    return Conflict("他のメンバーが先に提案書を保存しました。あなたの変更は保存されていません。"
                    "最新の内容と見比べて、まとめてから保存してください。",
                    code="stale_revision",
                    extra={"proposal": proposal_to_dict(current, viewer)})


def save_proposal(proposal: Proposal, viewer: Viewer, user: User, *, revision: object,
                  sections: object) -> Proposal:
    """Save the given sections (the others stay) if `revision` is the current one.

    Raises BadRequest for a malformed body, ValidationError (see check_sections), and
    Conflict (409, the current proposal in `extra`) on a stale revision: of two members
    saving the same revision exactly one wins, and the other's text is not written."""
    if not isinstance(revision, int) or isinstance(revision, bool):
        raise BadRequest("revision（整数）を送ってください。", extra={"field": "revision"})
    template = proposal_template(db.session.get(Cohort, proposal.cohort_id))
    changes = check_sections(sections, template)
    if revision != proposal.revision:
        raise stale(proposal, viewer)
    merged = {**(proposal.sections or {}), **changes}
    now = utcnow()
    result = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.revision == revision)
        .values(sections=merged, revision=revision + 1, updated_at=now, updated_by_id=user.id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise stale(proposal, viewer)
    db.session.add(ProposalVersion(proposal_id=proposal.id, revision=revision + 1,
                                   sections=merged, author_id=user.id, created_at=now))
    db.session.flush()
    db.session.refresh(proposal)
    return proposal


# --- History and diff ---------------------------------------------------------------------------

def list_versions(proposal: Proposal) -> list[ProposalVersion]:
    return list(db.session.scalars(
        select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)
        .options(selectinload(ProposalVersion.author))
        .order_by(ProposalVersion.revision.desc())))


def version_to_dict(version: ProposalVersion) -> dict:
    return {"revision": version.revision,
            "author": ({"id": version.author.id, "name": version.author.name}
                       if version.author else None),
            "created_at": version.created_at.isoformat()}


def _text_at(proposal: Proposal, revision: int) -> dict:
    if revision == 0:
        return {}
    version = db.session.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id, ProposalVersion.revision == revision))
    if version is None:
        raise ValidationError(f"第{revision}版はありません（0〜{proposal.revision}）。",
                              code="unknown_revision")
    return version.sections or {}


def parse_revision(value: object, name: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise BadRequest(f"{name} は版の番号（整数）で指定してください。",
                         extra={"field": name}) from None
    if number < 0:
        raise BadRequest(f"{name} は0以上の整数で指定してください。", extra={"field": name})
    return number


def diff_sections(proposal: Proposal, template: ProposalTemplate, start: int,
                  end: int) -> list[dict]:
    """Per section, the unified diff (difflib) from revision `start` to `end`; revision 0
    is the empty proposal. An unchanged section has the empty string."""
    before, after = _text_at(proposal, start), _text_at(proposal, end)
    out = []
    for section in template.sections:
        lines = difflib.unified_diff(
            before.get(section.key, "").splitlines(), after.get(section.key, "").splitlines(),
            fromfile=f"第{start}版 {section.title}", tofile=f"第{end}版 {section.title}",
            lineterm="")
        out.append({"key": section.key, "title": section.title, "diff": "\n".join(lines)})
    return out


def diff_lines(diff: str) -> list[tuple[str, str, str]]:
    """A unified diff as (kind, label, text) for the page: marks by text, not colour."""
    rows = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            rows.append(("hunk", "", line))
        elif line.startswith("+"):
            rows.append(("add", "追加", line[1:]))
        elif line.startswith("-"):
            rows.append(("del", "削除", line[1:]))
        else:
            rows.append(("same", "", line[1:] if line.startswith(" ") else line))
    return rows


# --- Submitting -------------------------------------------------------------------------------

def submit_proposal(proposal: Proposal, viewer: Viewer, user: User,
                    now: datetime | None = None) -> Proposal:
    """Submit for review (draft, 要修正 or 承認 → 提出済). A goal the checker judges a means
    never blocks: it is flagged for the trainers. Raises ValidationError when the proposal
    is empty, or already submitted with no change since."""
    if not any((text or "").strip() for text in (proposal.sections or {}).values()):
        raise ValidationError("提案書がまだ空です。章を書いてから提出してください。", code="empty")
    if proposal.status == "submitted" and proposal.submitted_revision == proposal.revision:
        raise ValidationError("この版はすでに提出済みです。", code="already_submitted")
    template = proposal_template(db.session.get(Cohort, proposal.cohort_id))
    means = has_means_goal(goal_check(proposal, template))
    proposal.status = "submitted"
    proposal.submitted_at = now or utcnow()
    proposal.submitted_revision = proposal.revision
    proposal.means_goal = means
    db.session.flush()
    proposal_submitted.send(proposal, actor=user, means_goal=means)
    return proposal
