"""Proposal pages: list and comparison, the team's editor, review, history, print."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.cohorts.access import get_cohort_for
from lms.errors import Conflict, DomainError, NotFound
from lms.extensions import db
from lms.proposals import pages, services
from lms.proposals import review as reviewing
from lms.proposals.access import get_proposal_for, require_editor, viewer_for
from lms.proposals.forms import ActionForm, SaveForm, score_field, section_field
from lms.proposals.live import announce_saved
from lms.proposals.template import proposal_template

bp = Blueprint("proposals", __name__, template_folder="templates")


def _load(slug: str, proposal_id: int):
    cohort, _membership = get_cohort_for(current_user, slug)
    proposal, viewer = get_proposal_for(current_user, proposal_id)
    if proposal.cohort_id != cohort.id:
        raise NotFound("提案書が見つかりません。")
    return cohort, proposal, viewer


def _checked_form(form_class=ActionForm):
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    return form


def _back(slug: str, proposal_id: int, anchor: str = ""):
    return redirect(url_for("proposals.proposal_page", slug=slug, proposal_id=proposal_id)
                    + anchor)


@bp.get("/c/<slug>/proposals")
@login_required
def proposal_list(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    if services.create_missing_proposals(cohort):
        db.session.commit()
    proposals = services.cohort_proposals(cohort)
    viewer = viewer_for(membership)
    return render_template("proposals/list.html", cohort=cohort, viewer=viewer,
                           **pages.list_context(cohort, viewer, proposals),
                           form=ActionForm())


@bp.post("/c/<slug>/proposals/publish")
@login_required
def publish(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    _checked_form()
    try:
        _publication, created = reviewing.publish_proposals(cohort, viewer_for(membership),
                                                            current_user)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        flash(exc.message, "error")
        return redirect(url_for("proposals.proposal_list", slug=slug)), 303
    db.session.commit()
    flash("全チームの提案書を受講者全員に公開しました。" if created else "すでに公開しています。",
          "success")
    return redirect(url_for("proposals.proposal_list", slug=slug))


@bp.get("/c/<slug>/proposals/<int:proposal_id>")
@login_required
def proposal_page(slug: str, proposal_id: int):
    cohort, proposal, viewer = _load(slug, proposal_id)
    return render_template("proposals/proposal.html",
                           **pages.proposal_context(cohort, proposal, viewer))


@bp.post("/c/<slug>/proposals/<int:proposal_id>/save")
@login_required
def save(slug: str, proposal_id: int):
    """The editor without JavaScript: save every section; a stale save shows both texts."""
    cohort, proposal, viewer = _load(slug, proposal_id)
    require_editor(viewer, proposal)
    form = _checked_form(SaveForm)
    template = proposal_template(cohort)
    mine = {key: request.form.get(section_field(key), "") for key in template.keys}
    try:
        revision = int(form.revision.data or "")
    except ValueError:
        abort(400)
    try:
        services.save_proposal(proposal, viewer, current_user, revision=revision,
                               sections=mine)
    except Conflict:
        db.session.rollback()
        current = db.session.get(type(proposal), proposal.id)
        return render_template("proposals/proposal.html", **pages.proposal_context(
            cohort, current, viewer, mine=mine)), 409
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return render_template("proposals/proposal.html", **pages.proposal_context(
            cohort, proposal, viewer, mine=mine, keep_revision=revision)), exc.status
    db.session.commit()
    announce_saved(proposal.id, proposal.revision, current_user)
    flash(f"提案書を保存しました（第{proposal.revision}版）。", "success")
    return _back(slug, proposal_id)


@bp.post("/c/<slug>/proposals/<int:proposal_id>/submit")
@login_required
def submit(slug: str, proposal_id: int):
    """Submit; a means-as-goal asks once for confirmation (never blocks)."""
    cohort, proposal, viewer = _load(slug, proposal_id)
    require_editor(viewer, proposal)
    _checked_form()
    goals = services.goal_check(proposal, proposal_template(cohort))
    if services.has_means_goal(goals) and request.form.get("confirm_means") != "1":
        return render_template("proposals/proposal.html", **pages.proposal_context(
            cohort, proposal, viewer, confirm_means=True))
    try:
        services.submit_proposal(proposal, viewer, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(slug, proposal_id)
    db.session.commit()
    flash("提案書を提出しました。講師の講評が公開されると、この画面に表示されます。", "success")
    return _back(slug, proposal_id)


@bp.post("/c/<slug>/proposals/<int:proposal_id>/comments")
@login_required
def comment(slug: str, proposal_id: int):
    _cohort, proposal, viewer = _load(slug, proposal_id)
    _checked_form()
    parent = request.form.get("parent_id", "")
    section = request.form.get("section", "")
    try:
        added = reviewing.add_comment(proposal, viewer, current_user, section=section or None,
                                      body=request.form.get("body", ""),
                                      parent_id=int(parent) if parent.isdigit() else None)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        flash(exc.message, "error")
        return _back(slug, proposal_id, f"#sec-{section}" if section else "")
    db.session.commit()
    flash("コメントを書き込みました。", "success")
    return _back(slug, proposal_id, f"#comment-{added.id}")


@bp.post("/c/<slug>/proposals/<int:proposal_id>/comments/<int:comment_id>/resolve")
@login_required
def resolve(slug: str, proposal_id: int, comment_id: int):
    _cohort, proposal, viewer = _load(slug, proposal_id)
    _checked_form()
    found = reviewing.get_comment(proposal, viewer, comment_id)
    resolved = request.form.get("resolved") == "1"
    reviewing.resolve_comment(found, viewer, current_user, resolved)
    db.session.commit()
    flash("解決済みにしました。" if resolved else "未解決に戻しました。", "success")
    return _back(slug, proposal_id, f"#comment-{comment_id}")


@bp.post("/c/<slug>/proposals/<int:proposal_id>/review")
@login_required
def review(slug: str, proposal_id: int):
    cohort, proposal, viewer = _load(slug, proposal_id)
    _checked_form()
    template = proposal_template(cohort)
    scores = {}
    for item in template.rubric:
        value = request.form.get(score_field(item.key), "")
        if value.isdigit():
            scores[item.key] = int(value)
    data = {"scores": scores, "decision": request.form.get("decision") or None,
            "release": request.form.get("release") == "1"}
    try:
        reviewing.save_review(proposal, viewer, current_user, data=data)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        flash(exc.message, "error")
        return _back(slug, proposal_id, "#review")
    db.session.commit()
    flash("講評をチームに公開しました。" if data["release"] else
          "採点と判定を保存しました（チームにはまだ見えません）。", "success")
    return _back(slug, proposal_id, "#review")


@bp.get("/c/<slug>/proposals/<int:proposal_id>/history")
@login_required
def history(slug: str, proposal_id: int):
    cohort, proposal, viewer = _load(slug, proposal_id)
    return render_template("proposals/history.html",
                           **pages.history_context(cohort, proposal, viewer, request.args))


@bp.get("/c/<slug>/proposals/<int:proposal_id>/print")
@login_required
def print_page(slug: str, proposal_id: int):
    cohort, proposal, viewer = _load(slug, proposal_id)
    return render_template("proposals/print.html",
                           **pages.proposal_context(cohort, proposal, viewer))
