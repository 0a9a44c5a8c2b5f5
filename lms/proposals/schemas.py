"""Request bodies of the proposal API (pydantic, parsed by lms.api.validation).

Shapes and types live here; rules that depend on the course template (section keys, rubric
criteria and their ranges, 20,000 characters per section with the section's title in the
message) are checked by the services, before anything is stored."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from lms.api.validation import Body, Id, Query, Text

Decision = Literal["changes_requested", "approved"]


class ProposalSaveIn(Body):
    revision: Annotated[int, Field(ge=0)]
    sections: dict[str, Text]


class PreviewIn(Body):
    body: Text


class CommentIn(Body):
    section: Annotated[str, Field(max_length=64)] | None = None
    body: Text
    parent_id: Id | None = None


class ResolveIn(Body):
    resolved: bool = True


class ReviewIn(Body):
    scores: dict[str, int | None] | None = None
    decision: Decision | None = None
    release: bool = False

    def as_data(self) -> dict:
        """Only what the caller sent: an absent field leaves the stored value alone."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class DiffQuery(Query):
    from_: Annotated[int, Field(ge=0, alias="from")]
    to: Annotated[int, Field(ge=0)]
