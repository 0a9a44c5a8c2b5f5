"""Dashboard panels for the feature domains: survey ratings per session, proposal states."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.dashboard.cohort_stats import Chart, Series
from lms.extensions import db
from lms.proposals.models import STATUS_LABELS, STATUSES, Proposal
from lms.surveys.models import Survey, SurveyResponse


def survey_charts(cohort) -> list[Chart]:
    """The average of each survey's rating questions (1–5), with how many answered: two
    queries whatever the cohort's size."""
    surveys = list(db.session.scalars(select(Survey).where(Survey.cohort_id == cohort.id)
                                      .order_by(Survey.position, Survey.id)))
    if not surveys:
        return []
    ratings = {s.id: [q["id"] for q in s.questions if q.get("kind") == "rating"]
               for s in surveys}
    sums = {s.id: [0, 0] for s in surveys}
    rows = db.session.execute(select(SurveyResponse.survey_id, SurveyResponse.answers).where(
        SurveyResponse.survey_id.in_(list(sums)))).all()
    for survey_id, answers in rows:
        for qid in ratings[survey_id]:
            value = (answers or {}).get(qid)
            if isinstance(value, int) and 1 <= value <= 5:
                sums[survey_id][0] += value
                sums[survey_id][1] += 1
    chart_rows = []
    for s in surveys:
        total, n = sums[s.id]
        if ratings[s.id]:
            chart_rows.append((f"{s.title}（{n}件）", [round(total / n, 2) if n else 0]))
    if not chart_rows:
        return []
    return [Chart("survey-ratings", "アンケートの満足度（5点満点の平均）",
                  [Series("done", "平均")], chart_rows, unit="点", max_value=5,
                  note="件数は評価の回答数です。0点は回答がまだないことを示します。")]


def proposal_charts(cohort) -> list[Chart]:
    """How many teams' proposals are in each state, and how many were submitted with a
    means-as-goal: one query."""
    counts = dict(db.session.execute(
        select(Proposal.status, func.count(Proposal.id)).where(
            Proposal.cohort_id == cohort.id).group_by(Proposal.status)).all())
    means = db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.cohort_id == cohort.id, Proposal.means_goal.is_(True))) or 0
    rows = [(STATUS_LABELS[s], [counts.get(s, 0)]) for s in STATUSES]
    return [Chart("proposal-states", "提案書の状況（チーム数）", [Series("done", "チーム")],
                  rows, unit="チーム",
                  note=f"目標が「手段」のまま提出された提案書：{means}件")]
