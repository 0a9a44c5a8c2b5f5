"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from lms.auth.models import ApiToken, InviteToken, User  # noqa: F401
from lms.channels.models import Channel, ChannelRead, Mention, Message, Reaction  # noqa: F401
from lms.cohorts.models import Cohort, CohortMunicipality, Membership, Municipality  # noqa: F401
from lms.homework.models import (  # noqa: F401
    Homework,
    HomeworkDraft,
    Submission,
    SubmissionFile,
)
from lms.notifications.models import Notification, NotificationSetting  # noqa: F401
from lms.outbox.models import OutboxMessage  # noqa: F401
from lms.sessions.models import Attendance, CatchupProgress, WorkshopSession  # noqa: F401
from lms.teams.models import Team  # noqa: F401
