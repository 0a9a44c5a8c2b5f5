"""Socket.IO broadcasts of boards, each connection's user getting the board as they may see
it (call only after the commit)."""

from __future__ import annotations

import logging

from sqlalchemy import select

from lms.extensions import db, socketio
from lms.retros.access import audience_user_ids
from lms.retros.models import RetroBoard
from lms.retros.reading import board_to_dict, carried_actions, load_board
from lms.sessions.models import WorkshopSession

log = logging.getLogger(__name__)
NAMESPACE = "/retros"


def user_room(board_id: int, user_id: int) -> str:
    """One room per board and user, named by the server: a payload holding a person's own
    hidden cards goes to that person's connections only."""
    return f"retro:{board_id}:user:{user_id}"


def emit_board(board_id: int) -> None:
    """Send `retro_updated` to every connection of everyone who may see the board now, each
    with the board as that user sees it. Never raises: the change is committed already."""
    try:
        board = load_board(board_id)
        if board is None:
            return
        carried = carried_actions(board)
        for user_id in audience_user_ids(board):
            socketio.emit("retro_updated", board_to_dict(board, user_id, carried),
                          to=user_room(board.id, user_id), namespace=NAMESPACE)
    except Exception:
        log.exception("could not broadcast retro board %s", board_id)


def emit_boards(board_ids: list[int]) -> None:
    for board_id in board_ids:
        emit_board(board_id)


def next_board_id(board: RetroBoard) -> int | None:
    """The same team's board of the next session, which carries this board's actions."""
    return db.session.scalar(
        select(RetroBoard.id).join(WorkshopSession, RetroBoard.session_id == WorkshopSession.id)
        .where(RetroBoard.cohort_id == board.cohort_id, RetroBoard.team_id == board.team_id,
               WorkshopSession.number == board.session.number + 1))
