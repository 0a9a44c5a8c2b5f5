"""The case library (every cohort) and the form that marks a post as a case."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.cases import services
from lms.cases.access import get_case_message_for, require_case_reader
from lms.cases.forms import CaseForm, RemoveCaseForm
from lms.cases.models import CASE_CHANNEL_KEY, FIELDS
from lms.cohorts.access import get_cohort_for
from lms.errors import DomainError, NotFound
from lms.extensions import db

bp = Blueprint("cases", __name__, template_folder="templates")


@bp.app_template_global()
def case_link(message, staff: bool, slug: str) -> str | None:
    """For the channel page: where the author or staff mark a 「DX導入事例」 post as a case
    (channels may not import cases, so this domain offers it to templates)."""
    if message.channel.key != CASE_CHANNEL_KEY or message.deleted or message.hidden:
        return None
    if not staff and message.author_id != current_user.id:
        return None
    return url_for("cases.edit_case", slug=slug, message_id=message.id)


@bp.get("/cases")
@login_required
def library():
    mine = require_case_reader(current_user)
    query = services.CaseQuery(q=request.args.get("q", "")[:100].replace("\x00", ""),
                               field=request.args.get("field", "")[:50],
                               municipality=request.args.get("municipality", "")[:50])
    page = services.search_cases(query, page=request.args.get("page", 1, type=int))
    args = {k: v for k, v in vars(query).items() if v}
    return render_template("cases/library.html", page=page, query=query, fields=FIELDS,
                           municipalities=services.case_municipalities(), mine=mine,
                           args=args)


@bp.route("/c/<slug>/cases/<int:message_id>", methods=["GET", "POST"])
@login_required
def edit_case(slug: str, message_id: int):
    cohort, _membership = get_cohort_for(current_user, slug)
    message, membership = get_case_message_for(current_user, cohort, message_id)
    case = services.case_for_message(message)
    form = CaseForm()
    if request.method == "GET":
        if case is not None:
            form.process(data={"municipality": case.municipality, "field": case.field,
                               "target": case.target, "effect": case.effect,
                               "links": case.links})
        else:
            default = membership.municipality.name if (
                membership.municipality and message.author_id == current_user.id) else ""
            form.process(data={"municipality": default})
    if form.validate_on_submit():
        try:
            services.save_case(current_user, cohort, message, services.CaseFields(
                municipality=form.municipality.data or "", field=form.field.data,
                target=form.target.data or "", effect=form.effect.data or "",
                links=(form.links.data or "").splitlines()))
        except DomainError as exc:
            db.session.rollback()
            if exc.status != 422:
                raise
            getattr(form, exc.extra.get("field", "target")).errors.append(exc.message)
        else:
            db.session.commit()
            flash("事例集に登録しました。", "success")
            return redirect(url_for("cases.library"))
    status = 400 if form.errors else 200
    return render_template("cases/edit.html", cohort=cohort, message=message, case=case,
                           form=form, remove_form=RemoveCaseForm()), status


@bp.post("/c/<slug>/cases/<int:message_id>/remove")
@login_required
def remove_case(slug: str, message_id: int):
    cohort, _membership = get_cohort_for(current_user, slug)
    message, _membership = get_case_message_for(current_user, cohort, message_id)
    case = services.case_for_message(message)
    if case is None:
        raise NotFound("この投稿は事例に登録されていません。")
    if RemoveCaseForm().validate_on_submit():
        services.remove_case(current_user, case)
        db.session.commit()
        flash("事例集から外しました（投稿はチャンネルに残っています）。", "success")
    return redirect(url_for("cases.library"))
