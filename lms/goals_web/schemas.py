"""The goal checker API's request and answer (pydantic; lms.api.validation)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from lms.api.validation import Body, Text
from lms.goals import MAX_GOAL_CHARS


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
