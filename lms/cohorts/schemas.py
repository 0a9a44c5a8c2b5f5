"""What the cohorts API gives (pydantic; documented through lms.api.validation)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class MunicipalityOut(BaseModel):
    code: str
    name: str


class MyCohort(BaseModel):
    slug: str
    title: str
    role: Literal["organizer", "trainer", "participant"]
    team_id: int | None
    municipality: MunicipalityOut | None


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    cohorts: list[MyCohort]
