"""Proposal routes of /api/v1: list, read, save, history, diff, submit, comments, review,
publish, Word export."""

from __future__ import annotations

from flask import jsonify, request

from lms.api import api_bp, caller, json_body
from lms.cohorts.access import get_cohort_for
from lms.cohorts.models import Cohort
from lms.errors import BadRequest, ValidationError
from lms.extensions import db
from lms.markdown import render_markdown
from lms.proposals import review as reviewing
from lms.proposals import services
from lms.proposals.access import get_proposal_for, require_editor, viewer_for
from lms.proposals.docx import docx_response
from lms.proposals.live import announce_saved
from lms.proposals.template import proposal_template


@api_bp.get("/cohorts/<slug>/proposals")
def list_proposals(slug: str):
    cohort, membership = get_cohort_for(caller(), slug)
    proposals = services.ensure_proposals(cohort)
    db.session.commit()
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
def save_proposal(proposal_id: int):
    user = caller()
    proposal, viewer = get_proposal_for(user, proposal_id)
    require_editor(viewer, proposal)
    data = json_body()
    services.save_proposal(proposal, viewer, user, revision=data.get("revision"),
                           sections=data.get("sections"))
    body = services.proposal_to_dict(proposal, viewer)
    db.session.commit()
    announce_saved(proposal.id, proposal.revision, user)
    return jsonify(body)


@api_bp.post("/proposals/<int:proposal_id>/preview")
def preview_markdown(proposal_id: int):
    """The sanitised HTML of Markdown being written (the editor's live preview)."""
    get_proposal_for(caller(), proposal_id)
    text = json_body().get("body")
    if not isinstance(text, str):
        raise BadRequest("body（文字列）を送ってください。")
    if len(text) > services.MAX_SECTION:
        raise ValidationError(f"{services.MAX_SECTION:,}文字までです。", code="too_long")
    return jsonify({"html": render_markdown(text)})


@api_bp.get("/proposals/<int:proposal_id>/versions")
def proposal_versions(proposal_id: int):
    proposal, _viewer = get_proposal_for(caller(), proposal_id)
    return jsonify([services.version_to_dict(v) for v in services.list_versions(proposal)])


@api_bp.get("/proposals/<int:proposal_id>/diff")
def proposal_diff(proposal_id: int):
    proposal, _viewer = get_proposal_for(caller(), proposal_id)
    start = services.parse_revision(request.args.get("from", ""), "from")
    end = services.parse_revision(request.args.get("to", ""), "to")
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
def add_comment(proposal_id: int):
    user = caller()
    proposal, viewer = get_proposal_for(user, proposal_id)
    data = json_body()
    comment = reviewing.add_comment(proposal, viewer, user, section=data.get("section"),
                                    body=data.get("body"), parent_id=data.get("parent_id"))
    body = reviewing.comment_to_dict(comment)
    db.session.commit()
    return jsonify(body), 201


@api_bp.post("/proposals/<int:proposal_id>/comments/<int:comment_id>/resolve")
def resolve_comment(proposal_id: int, comment_id: int):
    user = caller()
    proposal, viewer = get_proposal_for(user, proposal_id)
    comment = reviewing.get_comment(proposal, viewer, comment_id)
    reviewing.resolve_comment(comment, viewer, user, json_body().get("resolved", True))
    body = reviewing.comment_to_dict(comment)
    db.session.commit()
    return jsonify(body)


@api_bp.put("/proposals/<int:proposal_id>/review")
def review_proposal(proposal_id: int):
    user = caller()
    proposal, viewer = get_proposal_for(user, proposal_id)
    reviewing.save_review(proposal, viewer, user, data=json_body())
    body = services.proposal_to_dict(proposal, viewer)
    db.session.commit()
    return jsonify(body)


@api_bp.get("/proposals/<int:proposal_id>/export.docx")
def export_docx(proposal_id: int):
    proposal, _viewer = get_proposal_for(caller(), proposal_id)
    return docx_response(proposal)
