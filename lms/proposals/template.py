"""The proposal's sections and rubric, from the course template the cohort was built from."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lms.cohorts.models import Cohort
from lms.courses import DEFAULT_COURSE_DIR, ProposalSection, RubricItem, load_course
from lms.markdown import render_markdown

COURSES_DIR = DEFAULT_COURSE_DIR.parent


@dataclass(frozen=True)
class ProposalTemplate:
    sections: tuple[ProposalSection, ...]
    rubric: tuple[RubricItem, ...]
    guidance_html: dict[str, str]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)

    @property
    def goal_key(self) -> str | None:
        return next((s.key for s in self.sections if s.goal_setting), None)

    def title(self, key: str) -> str:
        return next((s.title for s in self.sections if s.key == key), key)


@lru_cache(maxsize=16)
def _load(course_dir: str) -> ProposalTemplate:
    course = load_course(course_dir)
    return ProposalTemplate(course.proposal_sections, course.rubric,
                            {s.key: render_markdown(s.guidance_md)
                             for s in course.proposal_sections})


def course_dir_for(course_slug: str) -> Path:
    """courses/<course_slug>/ when it exists (the slug is a key: no path tricks), else the
    default course."""
    candidate = COURSES_DIR / course_slug
    if course_slug and "/" not in course_slug and (candidate / "course.toml").is_file():
        return candidate
    return DEFAULT_COURSE_DIR


def proposal_template(cohort: Cohort) -> ProposalTemplate:
    """Sections and rubric of the cohort's course (loaded once per process)."""
    return _load(str(course_dir_for(cohort.course_slug)))
