"""Trainers' review of proposals: threaded comments per section, rubric, release, publish."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.cohorts.models import Cohort
from lms.db import utcnow
from lms.errors import BadRequest, NotFound, ValidationError
from lms.extensions import db
from lms.markdown import render_markdown
from lms.proposals.access import Viewer, require_organizer, require_reviewer
from lms.proposals.models import (
    DECISIONS,
    Proposal,
    ProposalComment,
    ProposalPublication,
    ProposalReview,
)
from lms.proposals.signals import proposal_commented, proposal_review_released
from lms.proposals.template import proposal_template
from lms.sessions.models import WorkshopSession

MAX_COMMENT = 5_000
DECISION_LABELS = {"changes_requested": "要修正", "approved": "承認"}


# --- Comments -------------------------------------------------------------------------------

def visible_comments(proposal: Proposal, viewer: Viewer) -> list[ProposalComment]:
    """Staff: every comment; the team: released ones only; published readers: none."""
    if not viewer.sees_review(proposal):
        return []
    query = (select(ProposalComment).where(ProposalComment.proposal_id == proposal.id)
             .options(selectinload(ProposalComment.author))
             .order_by(ProposalComment.created_at, ProposalComment.id))
    if not viewer.staff:
        query = query.where(ProposalComment.released_at.is_not(None))
    return list(db.session.scalars(query))


def comment_to_dict(comment: ProposalComment) -> dict:
    return {"id": comment.id, "section": comment.section_key, "parent_id": comment.parent_id,
            "body": comment.body_md, "body_html": comment.body_html,
            "author": ({"id": comment.author.id, "name": comment.author.name}
                       if comment.author else None),
            "created_at": comment.created_at.isoformat(),
            "released": comment.released_at is not None,
            "resolved": comment.resolved_at is not None,
            "resolved_at": comment.resolved_at.isoformat() if comment.resolved_at else None}


def threads(comments: list[ProposalComment]) -> dict[str, list[tuple]]:
    """section key → [(root comment, [replies])] in order, for the pages."""
    replies: dict[int, list[ProposalComment]] = {}
    for c in comments:
        if c.parent_id is not None:
            replies.setdefault(c.parent_id, []).append(c)
    out: dict[str, list[tuple]] = {}
    for c in comments:
        if c.parent_id is None:
            out.setdefault(c.section_key, []).append((c, replies.get(c.id, [])))
    return out


def add_comment(proposal: Proposal, viewer: Viewer, user: User, *, section: object,
                body: object, parent_id: object = None) -> ProposalComment:
    """A trainer's comment on a section, or a reply. Team members may only reply to a
    released comment (their reply is visible at once); a trainer's reply is released when
    its thread is. Raises BadRequest, Forbidden, NotFound (parent), ValidationError."""
    if not isinstance(body, str) or (section is not None and not isinstance(section, str)):
        raise BadRequest("section（章のキー）と body（文字列）を送ってください。")
    if parent_id is not None and (not isinstance(parent_id, int) or isinstance(parent_id, bool)):
        raise BadRequest("parent_id は整数か null で送ってください。", extra={"field": "parent_id"})
    parent = None
    if parent_id is not None:
        parent = db.session.get(ProposalComment, parent_id)
        if parent is None or parent.proposal_id != proposal.id or (
                not viewer.staff and parent.released_at is None):
            raise NotFound("返信先のコメントが見つかりません。")
        while parent.parent_id is not None:  # threads are one level deep
            parent = db.session.get(ProposalComment, parent.parent_id)
        section = parent.section_key
    if parent is None or not viewer.is_member(proposal):
        require_reviewer(viewer)
    template = proposal_template(db.session.get(Cohort, proposal.cohort_id))
    if section not in template.keys:
        raise ValidationError(f"「{section}」という章はありません。", code="unknown_section",
                              extra={"field": "section"})
    text = body.strip()
    if not text:
        raise ValidationError("コメントを入力してください。", code="empty")
    if len(text) > MAX_COMMENT or "\x00" in text:
        raise ValidationError(f"コメントは{MAX_COMMENT:,}文字までで、NUL文字は使えません。",
                              code="too_long")
    now = utcnow()
    if viewer.staff:
        released = parent.released_at and now if parent is not None else None
    else:
        released = now
    comment = ProposalComment(proposal_id=proposal.id, section_key=section,
                              parent_id=parent.id if parent else None, author_id=user.id,
                              body_md=text, body_html=render_markdown(text), created_at=now,
                              released_at=released)
    db.session.add(comment)
    db.session.flush()
    proposal_commented.send(comment, proposal=proposal, actor=user,
                            audience="team" if released else "staff")
    return comment


def get_comment(proposal: Proposal, viewer: Viewer, comment_id: int) -> ProposalComment:
    comment = db.session.get(ProposalComment, comment_id)
    if comment is None or comment.proposal_id != proposal.id or not (
            viewer.staff or (viewer.is_member(proposal) and comment.released_at)):
        raise NotFound("コメントが見つかりません。")
    return comment


def resolve_comment(comment: ProposalComment, viewer: Viewer, user: User,
                    resolved: object) -> ProposalComment:
    """Mark a thread resolved (or open again); trainers and the team (once released)."""
    if not isinstance(resolved, bool):
        raise BadRequest("resolved（true / false）を送ってください。", extra={"field": "resolved"})
    comment.resolved_at = utcnow() if resolved else None
    comment.resolved_by_id = user.id if resolved else None
    db.session.flush()
    return comment


# --- Rubric and decision ----------------------------------------------------------------------

def check_scores(scores: object, proposal: Proposal) -> dict[str, int]:
    rubric = proposal_template(db.session.get(Cohort, proposal.cohort_id)).rubric
    if not isinstance(scores, dict):
        raise BadRequest("scores は観点のキーと点数（整数）のオブジェクトで送ってください。",
                         extra={"field": "scores"})
    by_key = {r.key: r for r in rubric}
    out = {}
    for key, value in scores.items():
        item = by_key.get(key)
        if item is None:
            raise ValidationError(f"「{key}」という評価観点はありません（使える観点: "
                                  f"{', '.join(by_key)}）。", code="unknown_criterion",
                                  extra={"field": "scores", "criterion": key})
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadRequest(f"「{item.title}」の点数は整数で送ってください。",
                             extra={"field": "scores", "criterion": key})
        if not 1 <= value <= item.max_score:
            raise ValidationError(f"「{item.title}」の点数は1〜{item.max_score}で付けてください"
                                  f"（指定されたのは{value}）。", code="score_out_of_range",
                                  extra={"field": "scores", "criterion": key})
        out[key] = value
    return out


def save_review(proposal: Proposal, viewer: Viewer, user: User, *, data: dict,
                now: datetime | None = None) -> ProposalReview:
    """Update the working scores (`scores` replaces them) and decision; with release=true,
    copy them to what the team reads, release every comment so far and set the status.

    Raises Forbidden (not staff), BadRequest (types), ValidationError (criterion, range,
    decision, releasing without a decision or before the proposal was ever submitted).
    Checks everything before changing anything."""
    require_reviewer(viewer)
    scores = check_scores(data["scores"], proposal) if "scores" in data else None
    decision = data.get("decision")
    if decision is not None and not isinstance(decision, str):
        raise BadRequest("decision は文字列か null で送ってください。", extra={"field": "decision"})
    if decision is not None and decision not in DECISIONS:
        raise ValidationError("decision は changes_requested（要修正）か approved（承認）です。",
                              code="invalid_decision", extra={"field": "decision"})
    release = data.get("release", False)
    if not isinstance(release, bool):
        raise BadRequest("release は true / false で送ってください。", extra={"field": "release"})
    review = proposal.review
    effective = decision if "decision" in data else (review.decision if review else None)
    if release and effective is None:
        raise ValidationError("講評を公開するには、判定（要修正・承認）を選んでください。",
                              code="decision_required", extra={"field": "decision"})
    if release and proposal.submitted_at is None:
        raise ValidationError("まだ提出されていない提案書の講評は公開できません。",
                              code="not_submitted")
    now = now or utcnow()
    if review is None:
        review = ProposalReview(proposal_id=proposal.id, scores={})
        db.session.add(review)
        proposal.review = review
    if scores is not None:
        review.scores = scores
    if "decision" in data:
        review.decision = decision
    review.reviewer_id = user.id
    review.updated_at = now
    if release:
        review.released_scores = dict(review.scores or {})
        review.released_decision = review.decision
        review.released_at = now
        review.released_by_id = user.id
        proposal.status = review.decision
        for comment in db.session.scalars(select(ProposalComment).where(
                ProposalComment.proposal_id == proposal.id,
                ProposalComment.released_at.is_(None))):
            comment.released_at = now
    db.session.flush()
    if release:
        proposal_review_released.send(proposal, review=review, actor=user)
    return review


# --- Publishing -------------------------------------------------------------------------------

def final_session_end(cohort: Cohort) -> datetime | None:
    return db.session.scalar(select(func.max(WorkshopSession.ends_at)).where(
        WorkshopSession.cohort_id == cohort.id))


def publish_proposals(cohort: Cohort, viewer: Viewer, user: User,
                      now: datetime | None = None) -> tuple[ProposalPublication, bool]:
    """Open every proposal of the cohort to all its participants (text only: reviews stay
    with their team). Organizers only, after the final session; a repeat changes nothing.
    Returns (publication, created)."""
    require_organizer(viewer)
    existing = db.session.scalar(select(ProposalPublication).where(
        ProposalPublication.cohort_id == cohort.id))
    if existing is not None:
        return existing, False
    now = now or utcnow()
    end = final_session_end(cohort)
    if end is not None and end > now:
        raise ValidationError("提案書は最終回が終わってから公開できます。", code="too_early")
    publication = ProposalPublication(cohort_id=cohort.id, published_at=now,
                                      published_by_id=user.id)
    db.session.add(publication)
    db.session.flush()
    return publication, True
