"""POST /api/v1/goals/check."""

from __future__ import annotations

from flask import jsonify

from lms.api import api_bp, caller
from lms.api.validation import validate
from lms.extensions import limiter
from lms.goals import check_goal
from lms.goals_web.schemas import GoalCheckIn, GoalOut


def _caller_key() -> str:
    return f"goals:{caller().id}"


@api_bp.post("/goals/check")
@limiter.limit("120 per minute", key_func=_caller_key)
@validate(json=GoalCheckIn, responses={200: GoalOut})
def goals_check(body: GoalCheckIn):
    """目標チェッカー"""
    return jsonify(check_goal(body.text).to_dict())
