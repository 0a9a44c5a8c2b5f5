"""What the proposal pages show, gathered in a few queries (read side of the views)."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.cohorts.models import Cohort
from lms.errors import DomainError
from lms.extensions import db
from lms.markdown import render_markdown
from lms.proposals import review as reviewing
from lms.proposals import services
from lms.proposals.access import Viewer, is_published
from lms.proposals.forms import ActionForm, SaveForm, score_field, section_field
from lms.proposals.models import STATUS_LABELS, Proposal, ProposalComment
from lms.proposals.review import DECISION_LABELS
from lms.proposals.template import proposal_template

VERDICT_LABELS = {"means": "⚠ 手段になっています", "outcome": "✓ 成果の目標です",
                  "unclear": "？ 判定できません"}


def _verdict(goals: dict) -> str:
    if services.has_means_goal(goals):
        return "means"
    return goals.get("verdict") or "unclear"


def list_context(cohort: Cohort, viewer: Viewer, proposals: list[Proposal]) -> dict:
    template = proposal_template(cohort)
    readable = services.readable(proposals, viewer)
    counts = dict(db.session.execute(
        select(ProposalComment.proposal_id, func.count()).where(
            ProposalComment.proposal_id.in_([p.id for p in readable]))
        .group_by(ProposalComment.proposal_id)).all()) if viewer.staff and readable else {}
    rows = []
    for p in readable:
        goals = services.goal_check(p, template)
        review = p.review if viewer.staff else None
        scores = (review.scores or {}) if review else {}
        rows.append({
            "proposal": p, "verdict": _verdict(goals),
            "verdict_label": VERDICT_LABELS[_verdict(goals)],
            "scores": [scores.get(r.key) for r in template.rubric],
            "total": sum(v for v in scores.values() if v) if scores else None,
            "decision": DECISION_LABELS.get(review.decision) if review and review.decision
            else None,
            "released": bool(review and review.released_at),
            "comments": counts.get(p.id, 0), "mine": viewer.is_member(p),
            "filled": sum(1 for k in template.keys if (p.sections or {}).get(k, "").strip()),
        })
    return {"rows": rows, "rubric": template.rubric, "section_count": len(template.keys),
            "published": viewer.published, "status_labels": STATUS_LABELS}


def proposal_context(cohort: Cohort, proposal: Proposal, viewer: Viewer, *,
                     mine: dict | None = None, confirm_means: bool = False,
                     keep_revision: int | None = None) -> dict:
    """Everything the proposal page and the print page need. `mine`: the caller's texts
    from a refused save, shown beside the current ones (the merge view)."""
    template = proposal_template(cohort)
    current = proposal.sections or {}
    comments = reviewing.visible_comments(proposal, viewer)
    by_section = reviewing.threads(comments)
    sections, conflicts = [], 0
    for item in template.sections:
        body = current.get(item.key, "")
        theirs = None
        if mine is not None and keep_revision is None and mine.get(item.key, "") != body:
            theirs, conflicts = body, conflicts + 1
        sections.append({
            "key": item.key, "title": item.title, "field": section_field(item.key),
            "guidance_html": template.guidance_html[item.key], "goal": item.goal_setting,
            "body": mine.get(item.key, "") if mine is not None else body,
            "body_html": render_markdown(body), "theirs": theirs,
            "threads": by_section.get(item.key, [])})
    goals = services.goal_check(proposal, template)
    review = proposal.review
    released = bool(review and review.released_at)
    shown = None
    if viewer.staff and review is not None:
        shown = {"scores": review.scores or {}, "decision": review.decision}
    elif viewer.is_member(proposal) and released:
        shown = {"scores": review.released_scores or {}, "decision": review.released_decision}
    save_form = SaveForm(formdata=None, revision=str(keep_revision if keep_revision is not None
                                                     else proposal.revision))
    return {
        "cohort": cohort, "proposal": proposal, "viewer": viewer, "sections": sections,
        "goals": goals, "goal_verdict": _verdict(goals),
        "verdict_labels": VERDICT_LABELS, "rubric": template.rubric,
        "score_field": score_field, "review": review, "review_shown": shown,
        "released": released, "decision_labels": DECISION_LABELS,
        "can_edit": viewer.can_edit(proposal), "is_staff": viewer.staff,
        "sees_review": viewer.sees_review(proposal),
        "municipalities": [cm.municipality.name for cm in proposal.team.members],
        "save_form": save_form, "action_form": ActionForm(), "conflicts": conflicts,
        "conflict": mine is not None and keep_revision is None,
        "confirm_means": confirm_means, "comment_count": len(comments),
        "open_comments": sum(1 for c in comments if c.parent_id is None and not c.resolved_at),
    }


def history_context(cohort: Cohort, proposal: Proposal, viewer: Viewer, args) -> dict:
    template = proposal_template(cohort)
    versions = services.list_versions(proposal)
    latest = proposal.revision
    error = None
    try:
        end = services.parse_revision(args.get("to", latest), "to")
        start = services.parse_revision(args.get("from", max(end - 1, 0)), "from")
        diffs = services.diff_sections(proposal, template, start, end)
    except DomainError as exc:
        error, start, end = exc.message, max(latest - 1, 0), latest
        diffs = services.diff_sections(proposal, template, start, end)
    shown = [dict(d, lines=services.diff_lines(d["diff"])) for d in diffs if d["diff"]]
    return {"cohort": cohort, "proposal": proposal, "viewer": viewer, "versions": versions,
            "start": start, "end": end, "diffs": shown, "error": error,
            "revisions": list(range(0, latest + 1)), "is_published": is_published(cohort.id)}
