"""Loading boards with what they show, and the board as one viewer may see it (JSON)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.db import utcnow
from lms.extensions import db
from lms.retros.models import PHASES, RetroAction, RetroBoard, RetroCard
from lms.sessions.models import WorkshopSession
from lms.timefmt import TOKYO


def load_board(board_id: int) -> RetroBoard | None:
    """A board with its cards (authors, votes), actions (owners), session and team."""
    return db.session.scalar(select(RetroBoard).where(RetroBoard.id == board_id).options(
        *_board_options()).execution_options(populate_existing=True))


def _board_options():
    return (selectinload(RetroBoard.cards).selectinload(RetroCard.author),
            selectinload(RetroBoard.cards).selectinload(RetroCard.votes),
            selectinload(RetroBoard.actions).selectinload(RetroAction.owner),
            selectinload(RetroBoard.session), selectinload(RetroBoard.team))


def boards_of_session(cohort_id: int, number: int | None, team_id: int | None = None,
                      full: bool = False) -> list[RetroBoard]:
    """The session's boards (one team's, or all in team order; every session's when
    `number` is None); `full` loads what they show."""
    query = (select(RetroBoard).join(WorkshopSession, RetroBoard.session_id == WorkshopSession.id)
             .where(RetroBoard.cohort_id == cohort_id)
             .options(selectinload(RetroBoard.session), selectinload(RetroBoard.team)))
    if number is not None:
        query = query.where(WorkshopSession.number == number)
    if team_id is not None:
        query = query.where(RetroBoard.team_id == team_id)
    if full:
        query = query.options(*_board_options())
    boards = list(db.session.scalars(query))
    boards.sort(key=lambda b: (b.session.number, b.team.number))
    return boards


def carried_actions(board: RetroBoard) -> list[RetroAction]:
    """The actions of the same team's board of the previous session (carry-forward)."""
    return carried_by_team(board.cohort_id, board.session.number, [board.team_id]).get(
        board.team_id, [])


def carried_by_team(cohort_id: int, number: int, team_ids: list[int]) -> dict[int, list]:
    """For session `number`, each team's actions from session number-1, in one query."""
    if number <= 1 or not team_ids:
        return {}
    actions = db.session.scalars(
        select(RetroAction).join(RetroBoard, RetroAction.board_id == RetroBoard.id)
        .join(WorkshopSession, RetroBoard.session_id == WorkshopSession.id)
        .where(RetroBoard.cohort_id == cohort_id, WorkshopSession.number == number - 1,
               RetroBoard.team_id.in_(team_ids))
        .options(selectinload(RetroAction.owner), selectinload(RetroAction.board))
        .order_by(RetroAction.id))
    out: dict[int, list] = {}
    for action in actions:
        out.setdefault(action.board.team_id, []).append(action)
    return out


def revealed(board: RetroBoard) -> bool:
    return PHASES.index(board.phase) >= PHASES.index("reveal")


def visible_cards(board: RetroBoard, user_id: int) -> list[RetroCard]:
    """Before the reveal only the viewer's own cards; no one, staff included, sees others'."""
    if revealed(board):
        return list(board.cards)
    return [c for c in board.cards if c.author_id == user_id]


def card_to_dict(card: RetroCard) -> dict:
    return {"id": card.id, "column": card.column, "body": card.body,
            "author": {"id": card.author.id, "name": card.author.name},
            "votes": len(card.votes), "group_id": card.group_id}


def action_to_dict(action: RetroAction) -> dict:
    owner = action.owner
    return {"id": action.id, "title": action.title,
            "owner": {"id": owner.id, "name": owner.name} if owner else None,
            "status": action.status, "comment": action.comment, "card_id": action.card_id}


def board_summary(board: RetroBoard) -> dict:
    return {"id": board.id, "session_number": board.session.number, "team_id": board.team_id,
            "format": board.format, "phase": board.phase}


def board_to_dict(board: RetroBoard, user_id: int, carried: list[RetroAction]) -> dict:
    """The board as the user `user_id` may see it now."""
    cards = visible_cards(board, user_id)
    return {
        **board_summary(board),
        "team_name": board.team.name,
        "columns": [{"key": c["key"], "title": c["title"], "prompt": c.get("prompt", "")}
                    for c in board.columns],
        "votes_per_person": board.votes_per_person,
        "cards": [card_to_dict(c) for c in cards],
        "hidden_count": len(board.cards) - len(cards),
        "carried": [action_to_dict(a) for a in carried],
        "actions": [action_to_dict(a) for a in board.actions],
        "my_votes": sorted(v.card_id for c in board.cards for v in c.votes
                           if v.user_id == user_id),
        "timer_ends_at": (board.timer_ends_at.astimezone(TOKYO).isoformat()
                          if board.timer_ends_at else None),
    }


def column_groups(board: RetroBoard, cards: list[RetroCard]) -> dict[str, list[list]]:
    """Per column, the cards in groups (a lead card first, then the cards grouped with it).
    From the vote phase on, groups with more votes come first."""
    by_id = {c.id: c for c in cards}
    groups: dict[int, list[RetroCard]] = {}
    for card in cards:
        lead = card.group_id if card.group_id in by_id else card.id
        groups.setdefault(lead, []).append(card)
    ranked = PHASES.index(board.phase) >= PHASES.index("vote")
    out: dict[str, list[list]] = {c["key"]: [] for c in board.columns}
    ordered = sorted(groups.items(), key=lambda kv: (
        -sum(len(c.votes) for c in kv[1]) if ranked else 0, kv[0]))
    for lead_id, members in ordered:
        members.sort(key=lambda c: (c.id != lead_id, c.id))
        column = by_id[lead_id].column
        out.setdefault(column, []).append(members)
    return out


def latest_team_board(cohort_id: int, team_id: int) -> RetroBoard | None:
    """The team's board of the latest session that has begun, else of the first session."""
    boards = list(db.session.scalars(
        select(RetroBoard).join(WorkshopSession, RetroBoard.session_id == WorkshopSession.id)
        .where(RetroBoard.cohort_id == cohort_id, RetroBoard.team_id == team_id)
        .options(selectinload(RetroBoard.session)).order_by(WorkshopSession.number)))
    begun = [b for b in boards if b.session.starts_at <= utcnow()]
    if begun:
        return begun[-1]
    return boards[0] if boards else None


def open_team_actions(team_id: int) -> list[RetroAction]:
    """The team's actions not yet done or dropped, oldest session first."""
    return list(db.session.scalars(
        select(RetroAction).join(RetroBoard, RetroAction.board_id == RetroBoard.id)
        .where(RetroBoard.team_id == team_id, RetroAction.status == "open")
        .options(selectinload(RetroAction.owner),
                 selectinload(RetroAction.board).selectinload(RetroBoard.session))
        .order_by(RetroAction.id)))
