"""Survey pages: the list, answering, results with charts, and opening or closing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.cohorts.access import STAFF_ROLES, get_cohort_for, is_staff, require_role
from lms.cohorts.models import Cohort
from lms.errors import DomainError
from lms.extensions import db
from lms.surveys import services
from lms.surveys.access import (
    can_export,
    get_survey_for,
    require_exporter,
    require_respondent,
    require_results_reader,
)
from lms.surveys.api import export_response
from lms.surveys.charts import bar_chart
from lms.surveys.forms import CsrfForm

bp = Blueprint("surveys", __name__, template_folder="templates")


@bp.app_template_global()
def survey_reminders(membership) -> list:
    """Open surveys the participant has not answered (for the dashboard)."""
    return services.unanswered_open_surveys(membership) if membership is not None else []


@bp.get("/c/<slug>/surveys")
@login_required
def survey_list(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    surveys = services.list_surveys(cohort.id)
    staff = is_staff(membership)
    counts = services.response_counts(cohort.id) if staff else {}
    answered = set()
    if not staff:
        answered = {s.id for s in surveys if services.my_response(s, current_user.id)}
    trend = None
    if staff:
        rows = []
        for s in surveys:
            first = next((q for q in services.survey_results(s).questions
                          if q.kind == "rating"), None)
            if first is not None and first.mean is not None:
                rows.append((s.title, first.mean, f"{first.mean:.2f}"))
        trend = bar_chart(rows, maximum=5) if rows else None
        trend_rows = rows
    return render_template("surveys/list.html", cohort=cohort, surveys=surveys, staff=staff,
                           counts=counts, answered=answered, trend=trend,
                           trend_rows=trend_rows if staff else [],
                           can_export=can_export(membership), form=CsrfForm())


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@login_required
def answer(survey_id: int):
    survey, membership = get_survey_for(current_user, survey_id)
    require_respondent(membership)
    cohort = db.session.get(Cohort, survey.cohort_id)
    response = services.my_response(survey, current_user.id)
    values = dict(response.answers) if response else {}
    error = None
    if request.method == "POST":
        if not CsrfForm().validate_on_submit():
            abort(400)
        answers = {}
        for q in survey.questions:
            raw = request.form.get(q["id"], "")
            if q["kind"] == "rating" and raw.strip():
                answers[q["id"]] = int(raw) if raw.strip().isdigit() else raw
            else:
                answers[q["id"]] = raw
        try:
            services.save_response(survey, membership, answers)
        except DomainError as exc:
            db.session.rollback()
            error = exc
            values = answers
        else:
            db.session.commit()
            flash("回答を保存しました。締め切りまでは何度でも直せます。", "success")
            return redirect(url_for("surveys.answer", survey_id=survey.id))
    status = 422 if error else 200
    return render_template("surveys/answer.html", cohort=cohort, survey=survey,
                           values=values, error=error, answered=response is not None,
                           form=CsrfForm()), status


@bp.get("/surveys/<int:survey_id>/results")
@login_required
def results(survey_id: int):
    survey, membership = get_survey_for(current_user, survey_id)
    require_results_reader(membership)
    cohort = db.session.get(Cohort, survey.cohort_id)
    result = services.survey_results(survey)
    charts = {}
    for q in result.questions:
        if q.kind == "text":
            continue
        labels = {r: f"{r}" for r in services.RATINGS} if q.kind == "rating" else {}
        charts[q.id] = bar_chart([(labels.get(k, str(k)), n, f"{n}件")
                                  for k, n in q.counts.items()])
    return render_template("surveys/results.html", cohort=cohort, survey=survey,
                           result=result, charts=charts, can_export=can_export(membership))


@bp.post("/surveys/<int:survey_id>/state")
@login_required
def change_state(survey_id: int):
    survey, membership = get_survey_for(current_user, survey_id)
    require_role(membership, *STAFF_ROLES)
    if not CsrfForm().validate_on_submit():
        abort(400)
    cohort = db.session.get(Cohort, survey.cohort_id)
    if request.form.get("state") == "open":
        services.open_survey(survey, current_user)
        flash(f"「{survey.title}」の回答受付を始めました。", "success")
    else:
        services.close_survey(survey)
        flash(f"「{survey.title}」を締め切りました。", "success")
    db.session.commit()
    return redirect(url_for("surveys.survey_list", slug=cohort.slug))


@bp.get("/c/<slug>/export/feedback.<any(csv, xlsx):kind>")
@login_required
def export_feedback(slug: str, kind: str):
    """The organizers' download button (same file as the API's)."""
    cohort, membership = get_cohort_for(current_user, slug)
    require_exporter(membership)
    return export_response(cohort, kind)
