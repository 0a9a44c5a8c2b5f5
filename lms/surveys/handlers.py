"""How surveys react to what lower domains announce (connected by create_app)."""

from __future__ import annotations

from lms.cohorts.signals import cohort_created
from lms.surveys.services import create_surveys_from_course


def on_cohort_created(cohort, *, course, **_extra) -> None:
    """The course template's surveys, not yet open."""
    create_surveys_from_course(cohort, course.surveys)


def connect_signals() -> None:
    """Idempotent: blinker keeps one connection per receiver."""
    cohort_created.connect(on_cohort_created)
