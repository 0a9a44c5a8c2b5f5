"""Proposal routes of /api/v1: list, read, save, history, diff, submit, comments, review,
publish, Word export."""

from __future__ import annotations

from flask import jsonify

from lms.api import api_bp, caller
from lms.api.openapi import add_paths, operation, path_param
from lms.api.validation import validate
from lms.cohorts.access import get_cohort_for
from lms.cohorts.models import Cohort
from lms.errors import ValidationError
from lms.extensions import db
from lms.markdown import render_markdown
from lms.proposals import review as reviewing
from lms.proposals import services
from lms.proposals.access import get_proposal_for, require_editor, viewer_for
from lms.proposals.docx import docx_response
from lms.proposals.live import announce_saved
from lms.proposals.openapi import COMMENT, PROPOSAL, proposal_paths
from lms.proposals.schemas import (
    CommentIn,
    DiffQuery,
    PreviewIn,
    ProposalSaveIn,
    ResolveIn,
    ReviewIn,
)
from lms.proposals.template import proposal_template


@api_bp.get("/cohorts/<slug>/proposals")
def list_proposals(slug: str):
    cohort, membership = get_cohort_for(caller(), slug)
    if services.create_missing_proposals(cohort):
        db.session.commit()
    proposals = services.cohort_proposals(cohort)
    viewer = viewer_for(membership)
    return jsonify([{"id": p.id, "team_id": p.team_id, "status": p.status,
                     "revision": p.revision, "team_name": p.team.name}
                    for p in services.readable(proposals, viewer)])


@api_bp.post("/cohorts/<slug>/proposals/publish")
def publish_proposals(slug: str):
    user = caller()
    cohort, membership = get_cohort_for(user, slug)
    publication, created = reviewing.publish_proposals(cohort, viewer_for(membership), user)
    db.session.commit()
    return jsonify({"published_at": publication.published_at.isoformat()}), \
        201 if created else 200


@api_bp.get("/proposals/<int:proposal_id>")
def read_proposal(proposal_id: int):
    proposal, viewer = get_proposal_for(caller(), proposal_id)
    return jsonify(services.proposal_to_dict(proposal, viewer))


@api_bp.put("/proposals/<int:proposal_id>")
@validate(json=ProposalSaveIn, responses={200: PROPOSAL})
def save_proposal(proposal_id: int, body: ProposalSaveIn):
    """Save sections (team members); a stale revision is 409 with error.proposal."""
    user = caller()
    proposal, viewer = get_proposal_for(user, proposal_id)
    require_editor(viewer, proposal)
    services.save_proposal(proposal, viewer, user, revision=body.revision,
                           sections=body.sections)
    out = services.proposal_to_dict(proposal, viewer)
    db.session.commit()
    announce_saved(proposal.id, proposal.revision, user)
    return jsonify(out)


@api_bp.post("/proposals/<int:proposal_id>/preview")
@validate(json=PreviewIn, responses={200: {"type": "object", "properties": {
    "html": {"type": "string"}}}})
def preview_markdown(proposal_id: int, body: PreviewIn):
    """The sanitised HTML of Markdown being written (the editor's live preview)."""
    get_proposal_for(caller(), proposal_id)
    text = body.body
    if len(text) > services.MAX_SECTION:
        raise ValidationError(f"{services.MAX_SECTION:,}文字までです。", code="too_long")
    return jsonify({"html": render_markdown(text)})


@api_bp.get("/proposals/<int:proposal_id>/versions")
def proposal_versions(proposal_id: int):
    proposal, _viewer = get_proposal_for(caller(), proposal_id)
    return jsonify([services.version_to_dict(v) for v in services.list_versions(proposal)])


@api_bp.get("/proposals/<int:proposal_id>/diff")
@validate(query=DiffQuery, responses={200: {"type": "object", "properties": {
    "sections": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "diff": {"type": "string"}}}}}}})
def proposal_diff(proposal_id: int, query: DiffQuery):
    """Unified diff per section between two revisions (0 is the empty proposal)."""
    proposal, _viewer = get_proposal_for(caller(), proposal_id)
    start, end = query.from_, query.to
    template = proposal_template(db.session.get(Cohort, proposal.cohort_id))
    return jsonify({"from": start, "to": end,
                    "sections": services.diff_sections(proposal, template, start, end)})


@api_bp.post("/proposals/<int:proposal_id>/submit")
def submit_proposal(proposal_id: int):
    user = caller()
    proposal, viewer = get_proposal_for(user, proposal_id)
    require_editor(viewer, proposal)
    services.submit_proposal(proposal, viewer, user)
    body = services.proposal_to_dict(proposal, viewer)
    db.session.commit()
    return jsonify(body)


@api_bp.get("/proposals/<int:proposal_id>/comments")
def list_comments(proposal_id: int):
    proposal, viewer = get_proposal_for(caller(), proposal_id)
    return jsonify([reviewing.comment_to_dict(c)
                    for c in reviewing.visible_comments(proposal, viewer)])


@api_bp.post("/proposals/<int:proposal_id>/comments")
@validate(json=CommentIn, responses={201: COMMENT})
def add_comment(proposal_id: int, body: CommentIn):
    """Comment on a section (trainers) or reply in a thread (parent_id)."""
    user = caller()
    proposal, viewer = get_proposal_for(user, proposal_id)
    comment = reviewing.add_comment(proposal, viewer, user, section=body.section,
                                    body=body.body, parent_id=body.parent_id)
    out = reviewing.comment_to_dict(comment)
    db.session.commit()
    return jsonify(out), 201


@api_bp.post("/proposals/<int:proposal_id>/comments/<int:comment_id>/resolve")
@validate(json=ResolveIn, responses={200: COMMENT})
def resolve_comment(proposal_id: int, comment_id: int, body: ResolveIn):
    """Mark a comment thread resolved (or open again)."""
    user = caller()
    proposal, viewer = get_proposal_for(user, proposal_id)
    comment = reviewing.get_comment(proposal, viewer, comment_id)
    reviewing.resolve_comment(comment, viewer, user, body.resolved)
    out = reviewing.comment_to_dict(comment)
    db.session.commit()
    return jsonify(out)


@api_bp.put("/proposals/<int:proposal_id>/review")
@validate(json=ReviewIn, responses={200: PROPOSAL})
def review_proposal(proposal_id: int, body: ReviewIn):
    """Scores 1–5 per rubric criterion, decision, and release to the team (trainers)."""
    user = caller()
    proposal, viewer = get_proposal_for(user, proposal_id)
    reviewing.save_review(proposal, viewer, user, data=body.as_data())
    out = services.proposal_to_dict(proposal, viewer)
    db.session.commit()
    return jsonify(out)


@api_bp.get("/proposals/<int:proposal_id>/export.docx")
def export_docx(proposal_id: int):
    proposal, _viewer = get_proposal_for(caller(), proposal_id)
    return docx_response(proposal)


add_paths(proposal_paths(operation, path_param))
