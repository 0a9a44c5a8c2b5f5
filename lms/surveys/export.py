"""The feedback export: pure (headers, rows) builders over a cohort's surveys."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.cohorts.models import Membership, Municipality
from lms.extensions import db
from lms.surveys.models import Survey, SurveyResponse
from lms.surveys.services import list_surveys, survey_results

FEEDBACK_HEADERS = ("回", "アンケート", "設問", "回答", "自治体", "氏名")
SUMMARY_HEADERS = ("回", "アンケート", "記名", "状態", "回答数", "設問", "平均(5段階)",
                   "1", "2", "3", "4", "5")


def session_label(survey: Survey) -> str:
    return f"第{survey.session_number}回" if survey.session_number else "全体"


def survey_rows(survey: Survey) -> list[tuple]:
    """One row per answer. Named surveys: by municipality and person, questions in order.
    Anonymous surveys: no name or municipality, and each question's answers sorted by value
    so that rows cannot be put back together per person."""
    label = session_label(survey)
    if survey.anonymous:
        answers = list(db.session.scalars(select(SurveyResponse.answers).where(
            SurveyResponse.survey_id == survey.id)))
        rows = []
        for q in survey.questions:
            values = [a[q["id"]] for a in answers if a.get(q["id"]) is not None]
            values.sort(key=lambda v: (isinstance(v, str), str(v)))
            rows.extend((label, survey.title, q["label"], v, "", "") for v in values)
        return rows
    people = db.session.execute(
        select(SurveyResponse.answers, User.name, Municipality.name, Municipality.code)
        .join(User, User.id == SurveyResponse.user_id)
        .join(Membership, (Membership.user_id == SurveyResponse.user_id)
              & (Membership.cohort_id == survey.cohort_id))
        .outerjoin(Municipality, Municipality.code == Membership.municipality_code)
        .where(SurveyResponse.survey_id == survey.id)).all()
    people.sort(key=lambda p: (p[3] or "", p[1]))
    return [(label, survey.title, q["label"], answers[q["id"]], municipality or "", name)
            for answers, name, municipality, _code in people
            for q in survey.questions if answers.get(q["id"]) is not None]


def feedback_table(cohort_id: int) -> tuple[tuple[str, ...], list[tuple]]:
    """Every answer of every survey of the cohort (the CSV)."""
    return FEEDBACK_HEADERS, [row for s in list_surveys(cohort_id) for row in survey_rows(s)]


def summary_table(cohort_id: int) -> tuple[tuple[str, ...], list[tuple]]:
    """Per survey and rating question: responses, mean and the distribution."""
    rows = []
    for survey in list_surveys(cohort_id):
        results = survey_results(survey)
        ratings = [q for q in results.questions if q.kind == "rating"]
        state = survey.status_label
        named = "無記名" if survey.anonymous else "記名"
        if not ratings:
            rows.append((session_label(survey), survey.title, named, state, results.responses,
                         "", "", "", "", "", "", ""))
        for q in ratings:
            mean = round(q.mean, 2) if q.mean is not None else ""
            rows.append((session_label(survey), survey.title, named, state, results.responses,
                         q.label, mean, *(q.counts[r] for r in (1, 2, 3, 4, 5))))
    return SUMMARY_HEADERS, rows


def feedback_sheets(cohort_id: int) -> list[tuple[str, tuple[str, ...], list[tuple]]]:
    """The XLSX book: a summary sheet, then one sheet per survey."""
    headers, summary = summary_table(cohort_id)
    sheets = [("集計", headers, summary)]
    for survey in list_surveys(cohort_id):
        sheets.append((survey.title, FEEDBACK_HEADERS,
                       survey_rows(survey)))
    return sheets
