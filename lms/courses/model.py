"""Course template data: frozen dataclasses built by the loader, and CourseError."""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Material:
    title: str
    url: str | None


@dataclass(frozen=True)
class HomeworkTemplate:
    key: str
    title: str
    kind: str
    instructions_md: str
    due_offset_days: int
    late_policy: str
    goal_setting: bool


@dataclass(frozen=True)
class SessionTemplate:
    number: int
    title: str
    aims: tuple[str, ...]
    agenda_md: str
    offset_days: int
    start_time: datetime.time
    duration_minutes: int
    materials: tuple[Material, ...]
    homework: tuple[HomeworkTemplate, ...]
    catchup_tasks: tuple[str, ...]


@dataclass(frozen=True)
class ChannelTemplate:
    key: str
    name: str
    description: str
    post_roles: tuple[str, ...]


@dataclass(frozen=True)
class RetroColumn:
    key: str
    label: str
    prompt: str


@dataclass(frozen=True)
class RetroTemplate:
    format: str
    columns: tuple[RetroColumn, ...]
    carry_forward: str
    description: str = ""
    votes_per_person: int = 3


@dataclass(frozen=True)
class ProposalSection:
    key: str
    title: str
    guidance_md: str
    goal_setting: bool = False


@dataclass(frozen=True)
class RubricItem:
    key: str
    title: str
    description: str
    max_score: int
    # What each score means, lowest first (levels[0] describes 1); empty when not given.
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurveyQuestion:
    key: str
    kind: str  # rating (1-5) | text | choice
    label: str
    required: bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurveyTemplate:
    key: str
    title: str
    session: int | None  # None: the final survey
    anonymous: bool
    questions: tuple[SurveyQuestion, ...]


@dataclass(frozen=True)
class CourseTemplate:
    slug: str
    title: str
    description_md: str
    timezone: str
    team_size: int
    sessions: tuple[SessionTemplate, ...]
    channels: tuple[ChannelTemplate, ...]
    retro: RetroTemplate
    proposal_sections: tuple[ProposalSection, ...]
    rubric: tuple[RubricItem, ...]
    surveys: tuple[SurveyTemplate, ...] = ()

    def session(self, number: int) -> SessionTemplate:
        """Return the session with this number (第n回); KeyError if there is none."""
        for s in self.sessions:
            if s.number == number:
                return s
        raise KeyError(number)

    def homework(self, key: str) -> HomeworkTemplate:
        """Return the homework with this key from any session; KeyError if there is none."""
        for s in self.sessions:
            for h in s.homework:
                if h.key == key:
                    return h
        raise KeyError(key)


class CourseError(Exception):
    """A course template that cannot be loaded; names the file and the field at fault."""

    def __init__(self, file: str, field: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.field = field
        self.message = message
        self.line = line
        super().__init__(f"{file}: {field}: {message}")
