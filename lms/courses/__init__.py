"""Course templates: frozen dataclasses loaded from courses/<slug>/course.toml (no Flask)."""

from lms.courses.loader import (
    COURSE_FILE,
    DEFAULT_COURSE_DIR,
    HOMEWORK_KINDS,
    LATE_POLICIES,
    ROLES,
    ChannelTemplate,
    CourseError,
    CourseTemplate,
    HomeworkTemplate,
    Material,
    ProposalSection,
    RetroColumn,
    RetroTemplate,
    RubricItem,
    SessionTemplate,
    load_course,
)

__all__ = [
    "COURSE_FILE",
    "DEFAULT_COURSE_DIR",
    "HOMEWORK_KINDS",
    "LATE_POLICIES",
    "ROLES",
    "ChannelTemplate",
    "CourseError",
    "CourseTemplate",
    "HomeworkTemplate",
    "Material",
    "ProposalSection",
    "RetroColumn",
    "RetroTemplate",
    "RubricItem",
    "SessionTemplate",
    "load_course",
]
