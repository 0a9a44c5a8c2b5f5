"""Who may see and act on a retro board; the loaders pages, API and sockets all use."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lms.auth.models import User
from lms.cohorts.access import is_staff, membership_for, team_id_for
from lms.cohorts.models import Cohort, CohortMunicipality, Membership
from lms.errors import Forbidden, NotFound
from lms.extensions import db
from lms.retros.models import RetroAction, RetroBoard

BOARD_NOT_FOUND = "振り返りボードが見つかりません。"
ACTION_NOT_FOUND = "アクションが見つかりません。"


@dataclass(frozen=True)
class Viewer:
    """The caller on one board: their membership, and whether they are its team or staff."""

    user: User
    membership: Membership
    staff: bool
    in_team: bool


def viewer_of(user: User, board: RetroBoard) -> Viewer | None:
    """The caller's standing on the board; None when they may not see it at all."""
    membership = membership_for(user, db.session.get(Cohort, board.cohort_id))
    if membership is None:
        return None
    staff = is_staff(membership)
    in_team = not staff and team_id_for(membership) == board.team_id
    if not staff and not in_team:
        return None
    return Viewer(user, membership, staff, in_team)


def get_board_for(user: User, board_id: object) -> tuple[RetroBoard, Viewer]:
    """The board if the caller is in its team or staff of its cohort; NotFound otherwise."""
    if not isinstance(board_id, int) or isinstance(board_id, bool):
        raise NotFound(BOARD_NOT_FOUND)
    board = db.session.get(RetroBoard, board_id)
    viewer = viewer_of(user, board) if board is not None else None
    if viewer is None:
        raise NotFound(BOARD_NOT_FOUND)
    return board, viewer


def get_action_for(user: User, action_id: int) -> tuple[RetroAction, Viewer]:
    action = db.session.get(RetroAction, action_id)
    viewer = viewer_of(user, action.board) if action is not None else None
    if viewer is None:
        raise NotFound(ACTION_NOT_FOUND)
    return action, viewer


def require_team_member(viewer: Viewer, what: str) -> None:
    if not viewer.in_team:
        raise Forbidden(f"{what}のはチームのメンバーです。")


def require_staff(viewer: Viewer) -> None:
    if not viewer.staff:
        raise Forbidden("フェーズを進められるのは講師・主催者です。")


def audience_user_ids(board: RetroBoard) -> list[int]:
    """Everyone who may see the board now: its team's participants and the cohort's staff."""
    team_codes = select(CohortMunicipality.municipality_code).where(
        CohortMunicipality.cohort_id == board.cohort_id,
        CohortMunicipality.team_id == board.team_id)
    rows = db.session.scalars(select(Membership.user_id).where(
        Membership.cohort_id == board.cohort_id,
        (Membership.role.in_(("organizer", "trainer")))
        | ((Membership.role == "participant")
           & Membership.municipality_code.in_(team_codes))))
    return sorted(set(rows))


def team_members(board: RetroBoard) -> list[User]:
    """The participants of the board's team, by name (owners an action may have)."""
    team_codes = select(CohortMunicipality.municipality_code).where(
        CohortMunicipality.cohort_id == board.cohort_id,
        CohortMunicipality.team_id == board.team_id)
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.cohort_id == board.cohort_id, Membership.role == "participant",
            Membership.municipality_code.in_(team_codes)).order_by(User.name, User.id)))
