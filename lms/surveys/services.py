"""Surveys from the course template, opening and closing, one response per person, results."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.api.validation import clean_text
from lms.auth.models import User
from lms.cohorts.models import Cohort, Membership
from lms.courses.model import SurveyTemplate
from lms.db import utcnow
from lms.errors import BadRequest, ValidationError
from lms.extensions import db
from lms.sessions.models import WorkshopSession
from lms.surveys.models import TEXT_MAX, Survey, SurveyResponse
from lms.surveys.signals import survey_opened

RATINGS = (1, 2, 3, 4, 5)


def _storable(text: str) -> bool:
    """No NUL and no lone surrogate (no database stores them)."""
    try:
        clean_text(text)
    except ValueError:
        return False
    return True


def create_surveys_from_course(cohort: Cohort, templates: tuple[SurveyTemplate, ...]) -> None:
    """The course template's surveys for a new cohort, all not yet open."""
    sessions = {ws.number: ws.id for ws in db.session.scalars(
        select(WorkshopSession).where(WorkshopSession.cohort_id == cohort.id))}
    for position, t in enumerate(templates):
        db.session.add(Survey(
            cohort_id=cohort.id, session_id=sessions.get(t.session) if t.session else None,
            key=t.key, title=t.title, anonymous=t.anonymous, position=position,
            questions=[{"id": q.key, "kind": q.kind, "label": q.label, "required": q.required,
                        "choices": list(q.choices)} for q in t.questions]))
    db.session.flush()


def list_surveys(cohort_id: int) -> list[Survey]:
    return list(db.session.scalars(
        select(Survey).where(Survey.cohort_id == cohort_id)
        .options(selectinload(Survey.session)).order_by(Survey.position, Survey.id)))


def survey_to_dict(survey: Survey) -> dict:
    return {"id": survey.id, "key": survey.key, "title": survey.title,
            "session_number": survey.session_number, "anonymous": survey.anonymous,
            "open": survey.is_open,
            "questions": [{"id": q["id"], "kind": q["kind"], "label": q["label"],
                           "required": q["required"],
                           **({"choices": q["choices"]} if q["kind"] == "choice" else {})}
                          for q in survey.questions]}


def open_survey(survey: Survey, actor: User) -> bool:
    """Open for answers (again, if it was closed); sends survey_opened. Whether it changed."""
    if survey.is_open:
        return False
    survey.opened_at = utcnow()
    survey.closed_at = None
    db.session.flush()
    survey_opened.send(survey, actor=actor)
    return True


def close_survey(survey: Survey) -> bool:
    if not survey.is_open:
        return False
    survey.closed_at = utcnow()
    db.session.flush()
    return True


def clean_answers(survey: Survey, answers: object) -> dict:
    """The answers checked against the questions: BadRequest for wrong shapes and types,
    ValidationError for a missing required answer, a rating outside 1–5, an unknown choice
    or over-long text. Empty answers are left out."""
    if not isinstance(answers, dict):
        raise BadRequest("answers を {設問ID: 回答} のオブジェクトで送ってください。")
    questions = {q["id"]: q for q in survey.questions}
    unknown = [k for k in answers if k not in questions]
    if unknown:
        raise ValidationError(f"この設問はアンケートにありません: {', '.join(map(str, unknown))}",
                              code="unknown_question")
    out: dict = {}
    for qid, q in questions.items():
        value = answers.get(qid)
        if value is None or (isinstance(value, str) and not value.strip()):
            if q["required"]:
                raise ValidationError(f"「{q['label']}」に回答してください。", code="required",
                                      extra={"field": qid})
            continue
        if q["kind"] == "rating":
            if not isinstance(value, int) or isinstance(value, bool):
                raise BadRequest(f"「{q['label']}」は1〜5の整数で送ってください。",
                                 extra={"field": qid})
            if value not in RATINGS:
                raise ValidationError(f"「{q['label']}」は1〜5で答えてください。",
                                      code="out_of_range", extra={"field": qid})
        elif not isinstance(value, str):
            raise BadRequest(f"「{q['label']}」は文字列で送ってください。", extra={"field": qid})
        elif not _storable(value):
            raise ValidationError(f"「{q['label']}」に使えない文字が含まれています。",
                                  extra={"field": qid})
        elif q["kind"] == "choice" and value not in q["choices"]:
            raise ValidationError(f"「{q['label']}」は選択肢から選んでください。",
                                  code="unknown_choice", extra={"field": qid})
        elif len(value.strip()) > TEXT_MAX:
            raise ValidationError(f"「{q['label']}」は{TEXT_MAX}文字以内で書いてください。",
                                  extra={"field": qid})
        out[qid] = value.strip() if isinstance(value, str) else value
    return out


def save_response(survey: Survey, membership: Membership, answers: object) -> SurveyResponse:
    """Store or replace the person's one response while the survey is open."""
    if not survey.is_open:
        raise ValidationError("このアンケートは回答を受け付けていません。", code="closed")
    cleaned = clean_answers(survey, answers)
    response = my_response(survey, membership.user_id)
    now = utcnow()
    if response is None:
        try:
            with db.session.begin_nested():
                response = SurveyResponse(survey_id=survey.id, user_id=membership.user_id,
                                          answers=cleaned, submitted_at=now, updated_at=now)
                db.session.add(response)
                db.session.flush()
            return response
        except IntegrityError:  # the same person's other tab answered at the same moment
            response = my_response(survey, membership.user_id)
    response.answers = cleaned
    response.updated_at = now
    db.session.flush()
    return response


def my_response(survey: Survey, user_id: int) -> SurveyResponse | None:
    return db.session.scalar(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user_id))


def unanswered_open_surveys(membership: Membership) -> list[Survey]:
    """The open surveys of the participant's cohort they have not answered (reminders)."""
    if membership.role != "participant":
        return []
    answered = select(SurveyResponse.survey_id).where(
        SurveyResponse.user_id == membership.user_id)
    return list(db.session.scalars(
        select(Survey).where(Survey.cohort_id == membership.cohort_id,
                             Survey.opened_at.is_not(None), Survey.closed_at.is_(None),
                             Survey.id.not_in(answered))
        .options(selectinload(Survey.session)).order_by(Survey.position)))


def response_counts(cohort_id: int) -> dict[int, int]:
    return dict(db.session.execute(
        select(SurveyResponse.survey_id, func.count(SurveyResponse.id))
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(Survey.cohort_id == cohort_id).group_by(SurveyResponse.survey_id)).all())


@dataclass
class QuestionResult:
    id: str
    label: str
    kind: str
    counts: dict = field(default_factory=dict)  # rating: 1..5 → n; choice: label → n
    answers: list[str] = field(default_factory=list)  # text
    choices: list[str] = field(default_factory=list)

    @property
    def grouped_answers(self) -> list[tuple[str, int]]:
        """Identical texts once with their count, most frequent first."""
        counts: dict[str, int] = {}
        for a in self.answers:
            counts[a] = counts.get(a, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        if self.kind != "rating" or not self.total:
            return None
        return sum(int(k) * n for k, n in self.counts.items()) / self.total

    def to_dict(self) -> dict:
        out = {"id": self.id, "label": self.label, "kind": self.kind}
        if self.kind == "text":
            out["answers"] = list(self.answers)
        else:
            out["counts"] = {str(k): n for k, n in self.counts.items()}
        return out


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    questions: list[QuestionResult]

    def to_dict(self) -> dict:
        """Counts and texts only: no name, email or user id, whatever the survey."""
        return {"id": self.survey.id, "title": self.survey.title,
                "session_number": self.survey.session_number,
                "anonymous": self.survey.anonymous, "responses": self.responses,
                "questions": [q.to_dict() for q in self.questions]}


def survey_results(survey: Survey) -> SurveyResults:
    """Counts per rating / choice and the text answers (sorted, so their order does not
    follow who answered when)."""
    answers = list(db.session.scalars(select(SurveyResponse.answers).where(
        SurveyResponse.survey_id == survey.id)))
    results = []
    for q in survey.questions:
        result = QuestionResult(q["id"], q["label"], q["kind"], choices=list(q.get("choices")
                                                                              or []))
        if q["kind"] == "rating":
            result.counts = {r: 0 for r in RATINGS}
        elif q["kind"] == "choice":
            result.counts = {c: 0 for c in q["choices"]}
        for a in answers:
            value = a.get(q["id"])
            if value is None:
                continue
            if q["kind"] == "text":
                result.answers.append(value)
            elif value in result.counts:
                result.counts[value] += 1
        result.answers.sort()
        results.append(result)
    return SurveyResults(survey, len(answers), results)
