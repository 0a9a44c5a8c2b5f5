"""Retro routes of /api/v1: boards, cards, phases, votes, actions and the timer."""

from __future__ import annotations

from flask import jsonify, request

from lms.api import api_bp, caller, json_body
from lms.api.openapi import add_paths, operation, path_param
from lms.cohorts.access import get_cohort_for, is_staff, team_id_for
from lms.errors import BadRequest
from lms.extensions import db
from lms.retros import services
from lms.retros.access import get_action_for, get_board_for, require_staff
from lms.retros.live import emit_board, emit_boards, next_board_id
from lms.retros.openapi import retro_paths
from lms.retros.reading import (
    action_to_dict,
    board_summary,
    board_to_dict,
    boards_of_session,
    card_to_dict,
    carried_actions,
    load_board,
)

add_paths(retro_paths(operation, path_param))


def _board_json(board_id: int, user_id: int) -> dict:
    board = load_board(board_id)
    return board_to_dict(board, user_id, carried_actions(board))


def _loaded_board_for(board_id: int):
    """The board (with its cards, votes and actions) and the caller's standing on it."""
    user = caller()
    board, viewer = get_board_for(user, board_id)
    return load_board(board.id), viewer


@api_bp.get("/cohorts/<slug>/retros")
def list_retros(slug: str):
    """The boards of a session (every session without ?session=) the caller may see: their
    team's, or all for staff."""
    cohort, membership = get_cohort_for(caller(), slug)
    raw = request.args.get("session")
    if raw is not None and (not raw.isdigit() or len(raw) > 4):
        raise BadRequest("session には回の番号を指定してください(例: ?session=1)。")
    number = int(raw) if raw is not None else None
    if services.ensure_boards(cohort.id):
        db.session.commit()
    if is_staff(membership):
        boards = boards_of_session(cohort.id, number)
    else:
        team_id = team_id_for(membership)
        boards = boards_of_session(cohort.id, number, team_id) if team_id else []
    return jsonify([board_summary(b) for b in boards])


@api_bp.get("/retros/<int:board_id>")
def read_retro(board_id: int):
    board, viewer = _loaded_board_for(board_id)
    return jsonify(board_to_dict(board, viewer.user.id, carried_actions(board)))


@api_bp.post("/retros/<int:board_id>/cards")
def add_retro_card(board_id: int):
    board, viewer = _loaded_board_for(board_id)
    data = json_body()
    card, created = services.add_card(board, viewer, column=data.get("column"),
                                      body=data.get("body"),
                                      client_card_id=data.get("client_card_id"))
    payload = card_to_dict(card)
    db.session.commit()
    if created:
        emit_board(board.id)
    return jsonify(payload), 201 if created else 200


@api_bp.post("/retros/<int:board_id>/phase")
def move_retro_phase(board_id: int):
    board, viewer = _loaded_board_for(board_id)
    require_staff(viewer)
    changed = services.move_phase(board, viewer.user, json_body().get("phase"))
    db.session.commit()
    if changed:
        emit_board(board.id)
    return jsonify(_board_json(board.id, viewer.user.id))


@api_bp.post("/retros/<int:board_id>/timer")
def set_retro_timer(board_id: int):
    board, viewer = _loaded_board_for(board_id)
    require_staff(viewer)
    services.set_timer(board, json_body().get("minutes"))
    db.session.commit()
    emit_board(board.id)
    return jsonify(_board_json(board.id, viewer.user.id))


@api_bp.post("/retros/<int:board_id>/votes")
def cast_retro_vote(board_id: int):
    board, viewer = _loaded_board_for(board_id)
    card_id = json_body().get("card_id")
    vote = services.cast_vote(board, viewer, card_id)
    body = {"card_id": vote.card_id, "votes_left": board.votes_per_person - sum(
        1 for c in board.cards for v in c.votes if v.user_id == viewer.user.id)}
    db.session.commit()
    emit_board(board.id)
    return jsonify(body), 201


@api_bp.delete("/retros/<int:board_id>/votes/<int:card_id>")
def withdraw_retro_vote(board_id: int, card_id: int):
    board, viewer = _loaded_board_for(board_id)
    services.withdraw_vote(board, viewer, card_id)
    db.session.commit()
    emit_board(board.id)
    return "", 204


@api_bp.post("/retros/<int:board_id>/groups")
def group_retro_card(board_id: int):
    """Group a card with another (`with_id`), or take it out of its group (`with_id`: null)."""
    board, viewer = _loaded_board_for(board_id)
    data = json_body()
    card = services.group_card(board, viewer, data.get("card_id"), data.get("with_id"))
    payload = card_to_dict(card)
    db.session.commit()
    emit_board(board.id)
    return jsonify(payload)


@api_bp.post("/retros/<int:board_id>/actions")
def add_retro_action(board_id: int):
    board, viewer = _loaded_board_for(board_id)
    data = json_body()
    action = services.add_action(board, viewer, title=data.get("title"),
                                 card_id=data.get("card_id"), owner_id=data.get("owner_id"))
    payload = action_to_dict(action)
    following = next_board_id(board)
    db.session.commit()
    emit_boards([board.id, *([following] if following else [])])
    return jsonify(payload), 201


@api_bp.patch("/retro-actions/<int:action_id>")
def update_retro_action(action_id: int):
    action, _viewer = get_action_for(caller(), action_id)
    data = json_body()
    services.update_action(action, status=data.get("status"), comment=data.get("comment"))
    payload = action_to_dict(action)
    board = action.board
    following = next_board_id(board)
    db.session.commit()
    emit_boards([board.id, *([following] if following else [])])
    return jsonify(payload)
