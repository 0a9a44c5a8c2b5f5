"""POST /api/v1/goals/check, and trainers' corrections of its verdicts."""

from __future__ import annotations

from flask import jsonify

from lms.api import api_bp, caller
from lms.api.validation import validate
from lms.cohorts.access import get_cohort_for
from lms.extensions import db, limiter
from lms.goals import LEVELS, check_goal
from lms.timefmt import ja_datetime

from . import services
from .models import GoalCorrection
from .schemas import CorrectionIn, CorrectionOut, ExplainIn, ExplainOut, GoalCheckIn, GoalOut


def _caller_key() -> str:
    return f"goals:{caller().id}"


@api_bp.post("/goals/check")
@limiter.limit("120 per minute", key_func=_caller_key)
@validate(json=GoalCheckIn, responses={200: GoalOut})
def goals_check(body: GoalCheckIn):
    """目標チェッカー"""
    return jsonify(check_goal(body.text).to_dict())


def _out(c: GoalCorrection) -> dict:
    return {"id": c.id, "text": c.text, "label": c.label, "label_ja": c.label_ja,
            "note": c.note, "trainer": c.trainer.name, "checker_verdict": c.checker_verdict,
            "created_at": ja_datetime(c.created_at)}


def _cohort(slug: str | None):
    return get_cohort_for(caller(), slug)[0] if slug else None  # not a member → 404


@api_bp.post("/goals/corrections")
@limiter.limit("60 per minute", key_func=_caller_key)
@validate(json=CorrectionIn, responses={201: CorrectionOut})
def goals_correct(body: CorrectionIn):
    """A trainer marks a verdict 「判定が違う」 with the right label and a note."""
    correction = services.record_correction(caller(), body.text, body.label, body.note,
                                            _cohort(body.cohort))
    db.session.commit()
    return jsonify(_out(correction)), 201


@api_bp.post("/goals/explain")
@limiter.limit("120 per minute", key_func=_caller_key)
@validate(json=ExplainIn, responses={200: ExplainOut})
def goals_explain(body: ExplainIn):
    """The goal's place on 活動 → アウトプット → アウトカム → インパクト with the words that put
    it there, what trainers said about this very text, and whether the caller may correct it."""
    user = caller()
    cohort = _cohort(body.cohort)
    result = check_goal(body.text)
    ladder = [{"level": level, "current": level == result.level,
               "words": list(dict.fromkeys(w for lv, w in result.evidence if lv == level))}
              for level in LEVELS]
    return jsonify({"verdict": result.verdict, "level": result.level, "ladder": ladder,
                    "can_correct": services.may_correct(user, cohort),
                    "corrections": [_out(c) for c in services.trainer_word(user, body.text)]})
