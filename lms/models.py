"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from lms.audit.models import AuditEntry  # noqa: F401
from lms.auth.models import (  # noqa: F401
    ApiToken,
    InviteToken,
    LoginSession,
    MfaCredential,
    MfaRecoveryCode,
    ServerSession,
    User,
)
from lms.cases.models import Case  # noqa: F401
from lms.channels.models import Channel, ChannelRead, Mention, Message, Reaction  # noqa: F401
from lms.cohorts.models import Cohort, CohortMunicipality, Membership, Municipality  # noqa: F401
from lms.goals_web.models import GoalCorrection  # noqa: F401
from lms.homework.models import (  # noqa: F401
    Homework,
    HomeworkDraft,
    Submission,
    SubmissionFile,
)
from lms.notifications.models import Notification, NotificationSetting  # noqa: F401
from lms.outbox.models import OutboxMessage  # noqa: F401
from lms.proposals.models import (  # noqa: F401
    Proposal,
    ProposalComment,
    ProposalPublication,
    ProposalReview,
    ProposalVersion,
)
from lms.retros.models import (  # noqa: F401
    RetroAction,
    RetroBoard,
    RetroCard,
    RetroConfig,
    RetroVote,
)
from lms.sessions.models import Attendance, CatchupProgress, WorkshopSession  # noqa: F401
from lms.surveys.models import Survey, SurveyResponse  # noqa: F401
from lms.teams.models import Team  # noqa: F401
