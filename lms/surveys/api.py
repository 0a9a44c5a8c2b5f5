"""Survey routes of /api/v1: list, answer, results, open/close and the feedback export."""

from __future__ import annotations

from flask import Response, jsonify

from lms.api import api_bp, caller, json_body
from lms.api.openapi import add_paths, operation, path_param
from lms.cohorts.access import STAFF_ROLES, get_cohort_for, require_role
from lms.extensions import db
from lms.spreadsheets import XLSX_MIMETYPE, Sheet, write_csv, write_xlsx
from lms.surveys import services
from lms.surveys.access import (
    get_survey_for,
    require_exporter,
    require_respondent,
    require_results_reader,
)
from lms.surveys.export import feedback_sheets, feedback_table
from lms.surveys.openapi import survey_paths

add_paths(survey_paths(operation, path_param))


@api_bp.get("/cohorts/<slug>/surveys")
def list_cohort_surveys(slug: str):
    cohort, _membership = get_cohort_for(caller(), slug)
    return jsonify([services.survey_to_dict(s) for s in services.list_surveys(cohort.id)])


@api_bp.get("/surveys/<int:survey_id>/response")
def read_survey_response(survey_id: int):
    survey, membership = get_survey_for(caller(), survey_id)
    require_respondent(membership)
    response = services.my_response(survey, membership.user_id)
    return jsonify({"survey_id": survey.id, "answers": response.answers if response else {},
                    "answered": response is not None})


@api_bp.put("/surveys/<int:survey_id>/response")
def answer_survey(survey_id: int):
    survey, membership = get_survey_for(caller(), survey_id)
    require_respondent(membership)
    response = services.save_response(survey, membership, json_body().get("answers"))
    body = {"survey_id": survey.id, "answers": response.answers, "answered": True}
    db.session.commit()
    return jsonify(body)


@api_bp.get("/surveys/<int:survey_id>/results")
def read_survey_results(survey_id: int):
    survey, membership = get_survey_for(caller(), survey_id)
    require_results_reader(membership)
    return jsonify(services.survey_results(survey).to_dict())


@api_bp.post("/surveys/<int:survey_id>/open")
def open_survey(survey_id: int):
    user = caller()
    survey, membership = get_survey_for(user, survey_id)
    require_role(membership, *STAFF_ROLES)
    services.open_survey(survey, user)
    db.session.commit()
    return jsonify(services.survey_to_dict(survey))


@api_bp.post("/surveys/<int:survey_id>/close")
def close_survey(survey_id: int):
    survey, membership = get_survey_for(caller(), survey_id)
    require_role(membership, *STAFF_ROLES)
    services.close_survey(survey)
    db.session.commit()
    return jsonify(services.survey_to_dict(survey))


def export_response(cohort, kind: str) -> Response:
    """The feedback file (csv or xlsx), as an attachment named after the cohort."""
    if kind == "csv":
        headers, rows = feedback_table(cohort.id)
        body, mimetype = write_csv(headers, rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = write_xlsx(
            [Sheet(*sheet) for sheet in feedback_sheets(cohort.id)]), XLSX_MIMETYPE
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{cohort.slug}-feedback.{kind}"',
        "Cache-Control": "private, no-store"})


@api_bp.get("/cohorts/<slug>/export/feedback.csv")
def export_feedback_csv(slug: str):
    cohort, membership = get_cohort_for(caller(), slug)
    require_exporter(membership)
    return export_response(cohort, "csv")


@api_bp.get("/cohorts/<slug>/export/feedback.xlsx")
def export_feedback_xlsx(slug: str):
    cohort, membership = get_cohort_for(caller(), slug)
    require_exporter(membership)
    return export_response(cohort, "xlsx")
