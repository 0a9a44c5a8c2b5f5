"""The goal checker API's request and answer bodies (pydantic; lms.api.validation)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from lms.api.validation import Body, Text
from lms.goals import MAX_GOAL_CHARS

from .models import MAX_NOTE_CHARS


class GoalCheckIn(Body):
    text: Annotated[Text, Field(max_length=MAX_GOAL_CHARS, description="目標の文（複数文可）")]


class GoalOut(BaseModel):
    verdict: Literal["means", "outcome", "unclear"]
    reasons: list[str]
    suggestion: str | None
    level: str | None = Field(description="活動 / アウトプット / アウトカム / インパクト")
    slots: dict[str, str | None] = Field(
        description="beneficiary, metric, target, deadline, baseline → 見つかった語")
    goals: list[dict] = Field(description="文ごとの同じ形の判定")



class CorrectionIn(Body):
    """「判定が違う」: the goal text, the right label and the trainer's note."""

    text: Text = Field(min_length=1, max_length=MAX_GOAL_CHARS)
    label: Literal["means", "outcome", "borderline"]
    note: Text = Field(default="", max_length=MAX_NOTE_CHARS)
    cohort: str | None = Field(default=None, max_length=100)


class ExplainIn(Body):
    """The goal text to place on the logic model, and the cohort it is written in."""

    text: Text = Field(max_length=MAX_GOAL_CHARS)
    cohort: str | None = Field(default=None, max_length=100)


class CorrectionOut(Body):
    id: int
    text: str
    label: str
    label_ja: str
    note: str
    trainer: str
    checker_verdict: str
    created_at: str


class Rung(Body):
    level: str
    current: bool
    words: list[str]


class ExplainOut(Body):
    verdict: str
    level: str | None
    ladder: list[Rung]
    can_correct: bool
    corrections: list[CorrectionOut]
