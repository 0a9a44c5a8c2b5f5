"""What the homework API takes and gives (pydantic; lms.api.validation).

Types and lengths are checked at the edge (400 malformed, 422 against a rule, with
`error.field`); rules that need the database (the session exists, the date is sensible)
stay in lms.homework.authoring and services."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel

from lms.api.validation import Body, Text
from lms.homework.authoring import MAX_INSTRUCTIONS, MAX_TITLE

Kind = Literal["individual", "municipality", "team"]
LatePolicy = Literal["accept", "close"]


class NewHomeworkIn(Body):
    session_number: Annotated[int, Field(ge=1, le=1000)]
    title: Annotated[Text, Field(min_length=1, max_length=MAX_TITLE)]
    kind: Kind
    # Strict models take no strings for datetimes; this field parses ISO 8601 text.
    due_at: Annotated[datetime, Field(strict=False, description=(
        "ISO 8601。オフセットがなければ日本時間（Asia/Tokyo）"))]
    instructions: Annotated[Text, Field(max_length=MAX_INSTRUCTIONS)] = Field(
        "", description="Markdown")
    late_policy: LatePolicy = "accept"
    goal_setting: bool = False


class DraftIn(Body):
    body: Text
    revision: Annotated[int, Field(ge=0, description="読んだ下書きの revision（なければ 0）")]


class ReviewIn(Body):
    status: Literal["ok", "revise"]
    feedback: Text = ""


class HomeworkOut(BaseModel):
    id: int
    session_number: int
    title: str
    kind: Kind
    due_at: str = Field(description="ISO 8601")
    late_policy: LatePolicy
    closed: bool


class HomeworkDetail(HomeworkOut):
    key: str
    instructions: str
    instructions_html: str
    goal_setting: bool


class HomeworkList(RootModel[list[HomeworkOut]]):
    pass


class DraftOut(BaseModel):
    body: str
    revision: int
    updated_at: str | None
    updated_by: str | None


class FileOut(BaseModel):
    id: int
    name: str
    size: int
    content_type: str


class ReviewOut(BaseModel):
    status: Literal["ok", "revise"] | None
    label: str | None
    feedback: str
    feedback_html: str
    reviewed_at: str | None


class Person(BaseModel):
    id: int
    name: str


class SubmissionOut(BaseModel):
    id: int
    homework_id: int
    version: int
    late: bool
    body: str
    body_html: str
    submitted_at: str
    author: Person
    files: list[FileOut]
    review: ReviewOut
