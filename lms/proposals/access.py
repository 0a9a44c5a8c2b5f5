"""Who reads, edits and reviews a proposal; loaders that fetch and check together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.cohorts.access import is_staff, membership_for, team_id_for
from lms.cohorts.models import Cohort, CohortMunicipality, Membership
from lms.errors import Forbidden, NotFound
from lms.extensions import db
from lms.proposals.models import Proposal, ProposalPublication
from lms.teams.models import Team

NOT_FOUND = "提案書が見つかりません。"


@dataclass(frozen=True)
class Viewer:
    """The caller as the proposal rules see them, worked out once per request."""

    membership: Membership
    team_id: int | None
    published: bool

    @property
    def staff(self) -> bool:
        return is_staff(self.membership)

    @property
    def is_trainer(self) -> bool:
        """Trainers and organizers review; the contract's "trainers" are the cohort's staff."""
        return self.staff

    @property
    def is_organizer(self) -> bool:
        return self.membership.role == "organizer"

    def is_member(self, proposal: Proposal) -> bool:
        return (self.membership.role == "participant" and self.team_id is not None
                and self.team_id == proposal.team_id)

    def can_read(self, proposal: Proposal) -> bool:
        return self.staff or self.is_member(proposal) or (
            self.published and self.membership.role == "participant")

    def can_edit(self, proposal: Proposal) -> bool:
        return self.is_member(proposal)

    def sees_review(self, proposal: Proposal) -> bool:
        """Staff see the working review; the team sees only what was released."""
        return self.staff or self.is_member(proposal)


def is_published(cohort_id: int) -> bool:
    return db.session.scalar(select(ProposalPublication.id).where(
        ProposalPublication.cohort_id == cohort_id)) is not None


def viewer_for(membership: Membership) -> Viewer:
    return Viewer(membership, team_id_for(membership), is_published(membership.cohort_id))


def get_proposal_for(user: User, proposal_id: object) -> tuple[Proposal, Viewer]:
    """The proposal if the caller may read it; NotFound otherwise (other teams before
    publishing, other cohorts, unknown ids)."""
    if not isinstance(proposal_id, int) or isinstance(proposal_id, bool):
        raise NotFound(NOT_FOUND)
    proposal = db.session.scalar(
        select(Proposal).where(Proposal.id == proposal_id)
        .options(selectinload(Proposal.team).selectinload(Team.members)
                 .selectinload(CohortMunicipality.municipality),
                 selectinload(Proposal.review)))
    if proposal is None:
        raise NotFound(NOT_FOUND)
    membership = membership_for(user, db.session.get(Cohort, proposal.cohort_id))
    if membership is None:
        raise NotFound(NOT_FOUND)
    viewer = viewer_for(membership)
    if not viewer.can_read(proposal):
        raise NotFound(NOT_FOUND)
    return proposal, viewer


def require_editor(viewer: Viewer, proposal: Proposal) -> None:
    if not viewer.can_edit(proposal):
        raise Forbidden("提案書を編集できるのは、そのチームのメンバーです。")


def require_reviewer(viewer: Viewer) -> None:
    if not viewer.is_trainer:
        raise Forbidden("コメント・採点・講評の公開ができるのは講師と主催者です。")


def require_organizer(viewer: Viewer) -> None:
    if not viewer.is_organizer:
        raise Forbidden("提案書を公開できるのは主催者です。")
