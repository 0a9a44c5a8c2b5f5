"""POST /api/v1/goals/check."""

from __future__ import annotations

from flask import jsonify

from lms.api import api_bp, caller, json_body
from lms.api.openapi import add_paths, operation
from lms.errors import BadRequest, ValidationError
from lms.extensions import limiter
from lms.goals import MAX_GOAL_CHARS, check_goal


def _caller_key() -> str:
    return f"goals:{caller().id}"


@api_bp.post("/goals/check")
@limiter.limit("120 per minute", key_func=_caller_key)
def goals_check():
    caller()
    data = json_body()
    text = data.get("text")
    if not isinstance(text, str):
        raise BadRequest("text に文字列を指定してください。")
    if len(text) > MAX_GOAL_CHARS:
        raise ValidationError(
            f"目標は{MAX_GOAL_CHARS}文字以内にしてください（現在{len(text)}文字）。",
                              code="too_long")
    return jsonify(check_goal(text).to_dict())


GOAL = {"type": "object", "properties": {
    "verdict": {"enum": ["means", "outcome", "unclear"]},
    "reasons": {"type": "array", "items": {"type": "string"}},
    "suggestion": {"type": ["string", "null"]},
    "level": {"type": ["string", "null"]},
    "slots": {"type": "object"}, "goals": {"type": "array"},
}}
add_paths({"/goals/check": {"post": operation(
    "目標チェッカー", GOAL, errors=(400, 401, 422),
    body={"type": "object", "required": ["text"],
          "properties": {"text": {"type": "string", "maxLength": MAX_GOAL_CHARS}}})}})
