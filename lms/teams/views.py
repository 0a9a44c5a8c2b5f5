"""The organizer's team formation page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.cohorts.access import get_cohort_for
from lms.errors import DomainError
from lms.extensions import db
from lms.teams import services
from lms.teams.access import can_edit_teams, require_team_editor, require_team_viewer
from lms.teams.forms import FormTeamsForm, MoveForm

bp = Blueprint("teams", __name__, template_folder="templates")


@bp.get("/c/<slug>/teams")
@login_required
def manage(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    require_team_viewer(membership)
    views = services.team_views(cohort)
    form = FormTeamsForm(count=max(1, len([v for v in views if v.team]) or 5))
    return render_template("teams/manage.html", cohort=cohort, views=views, form=form,
                           can_edit=can_edit_teams(membership), move_form=MoveForm())


@bp.post("/c/<slug>/teams/form")
@login_required
def form_teams(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    require_team_editor(membership)
    form = FormTeamsForm()
    if not form.validate_on_submit():
        flash("チーム数を正しく入力してください（1以上の整数）。", "error")
        return redirect(url_for("teams.manage", slug=slug))
    try:
        teams = services.form_teams(cohort, form.count.data, actor=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("teams.manage", slug=slug))
    db.session.commit()  # teams_changed: the channels domain keeps the team rooms in step
    flash(f"{len(teams)}チームに編成しました。", "success")
    return redirect(url_for("teams.manage", slug=slug))


@bp.post("/c/<slug>/teams/move")
@login_required
def move(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    require_team_editor(membership)
    form = MoveForm()
    if not form.validate_on_submit():
        flash("移動する自治体と移動先を選んでください。", "error")
        return redirect(url_for("teams.manage", slug=slug))
    raw = request.form.get("team", "")
    try:
        team_id = int(raw) if raw else None
        services.move_municipality(cohort, form.municipality.data, team_id,
                                   actor=current_user)
    except ValueError:
        flash("移動先のチームを選んでください。", "error")
        return redirect(url_for("teams.manage", slug=slug))
    db.session.commit()
    flash("自治体を移動しました。", "success")
    return redirect(url_for("teams.manage", slug=slug))
