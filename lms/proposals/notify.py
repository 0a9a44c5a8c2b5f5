"""Proposal events reach the people concerned: a submission and an unreleased comment the
cohort's staff, a released comment and a released review the team."""

from __future__ import annotations

from lms.cohorts.models import Cohort
from lms.cohorts.services import member_ids, team_participant_ids
from lms.extensions import db
from lms.notifications.services import notify
from lms.proposals.models import Proposal
from lms.proposals.signals import (
    proposal_commented,
    proposal_review_released,
    proposal_submitted,
)

STAFF = ("organizer", "trainer")


def _url(proposal: Proposal) -> str:
    cohort = db.session.get(Cohort, proposal.cohort_id)
    return f"/c/{cohort.slug}/proposals/{proposal.id}"


def notify_submitted(proposal: Proposal, *, actor=None, means_goal: bool = False,
                     **_ignored) -> None:
    note = "（目標が「手段」と判定されています）" if means_goal else ""
    notify(member_ids(proposal.cohort_id, *STAFF), "proposal_review",
           f"チームの提案書が提出されました。講評をお願いします{note}。", _url(proposal),
           actor=actor, cohort_id=proposal.cohort_id,
           dedupe_key=f"proposal-submitted:{proposal.id}:{proposal.revision}")


def notify_commented(comment, *, proposal: Proposal, actor=None, audience: str = "staff",
                     **_ignored) -> None:
    if audience == "team":
        recipients = team_participant_ids(proposal.cohort_id, proposal.team_id)
        recipients += member_ids(proposal.cohort_id, *STAFF)
    else:  # not yet released: the team must not learn of it
        recipients = member_ids(proposal.cohort_id, *STAFF)
    notify(recipients, "proposal_comment", "提案書にコメントがつきました。",
           _url(proposal) + f"#comment-{comment.id}", actor=actor,
           cohort_id=proposal.cohort_id)


def notify_review_released(proposal: Proposal, *, review=None, actor=None, **_ignored) -> None:
    notify(team_participant_ids(proposal.cohort_id, proposal.team_id), "proposal_review",
           "提案書の講評が公開されました。", _url(proposal), actor=actor,
           cohort_id=proposal.cohort_id,
           dedupe_key=f"proposal-review:{proposal.id}:{getattr(review, 'id', '')}:"
                      f"{proposal.revision}")


def connect_signals() -> None:
    """Called by create_app; connecting twice is harmless."""
    proposal_submitted.connect(notify_submitted)
    proposal_commented.connect(notify_commented)
    proposal_review_released.connect(notify_review_released)
