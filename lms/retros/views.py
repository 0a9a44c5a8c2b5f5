"""Retro pages: a team's board, the trainers' view of every team, and the session summary."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.cache import cached_html, render_part
from lms.cohorts.access import STAFF_ROLES, get_cohort_for, is_staff, require_role, team_id_for
from lms.cohorts.models import Cohort
from lms.errors import DomainError, NotFound
from lms.extensions import db
from lms.retros import services
from lms.retros.access import get_action_for, get_board_for, require_staff, team_members
from lms.retros.forms import CsrfForm
from lms.retros.live import emit_boards, next_board_id
from lms.retros.models import ACTION_LABELS, PHASE_LABELS, PHASES
from lms.retros.reading import (
    boards_of_session,
    carried_actions,
    carried_by_team,
    column_groups,
    latest_team_board,
    load_board,
    open_team_actions,
    revealed,
    visible_cards,
)
from lms.sessions.models import WorkshopSession
from lms.sessions.services import get_session

bp = Blueprint("retros", __name__, template_folder="templates")


@bp.app_template_global()
def retro_links(cohort, ws, membership) -> dict | None:
    """For the session page and the team room: where the retro is, and the team's open
    actions carried into this session (None when the caller has no board)."""
    if membership is None:
        return None
    url = url_for("retros.session_retro", slug=cohort.slug, number=ws.number)
    if is_staff(membership):
        return {"url": url, "open_actions": []}
    team_id = team_id_for(membership)
    if team_id is None:
        return None
    carried = carried_by_team(cohort.id, ws.number, [team_id]).get(team_id, [])
    return {"url": url, "open_actions": [a for a in carried if a.status == "open"]}


@bp.app_template_global()
def team_retro_link(channel) -> dict | None:
    """For a team room: its board of the latest session that has begun (or the first), and
    the team's open actions from every session."""
    if getattr(channel, "kind", None) != "team" or channel.team_id is None:
        return None
    board = latest_team_board(channel.cohort_id, channel.team_id)
    if board is None:
        return None
    return {"url": url_for("retros.board_page", board_id=board.id), "board": board,
            "open_actions": open_team_actions(channel.team_id)}


@bp.app_template_global()
def team_retro_panel(channel):
    """team_retro_link rendered for the team room, kept (lms.cache) until a board, action or
    session changes; for a minute at most, since which board is current follows the clock."""
    if getattr(channel, "kind", None) != "team" or channel.team_id is None:
        return ""

    def render(_csrf):
        retro = team_retro_link(channel)
        return render_part("retros/_team_room_retro.html", retro=retro) if retro else ""
    return cached_html("retros.team_room_panel", (channel.id, channel.team_id), render,
                       deps=("channels",), ttl=60)


def _int_field(name: str):
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return raw  # the service answers "not an integer"


def _back(board_id: int, anchor: str = "retro-board"):
    return redirect(url_for("retros.board_page", board_id=board_id, _anchor=anchor))


def _board_page_context(board, viewer) -> dict:
    cards = visible_cards(board, viewer.user.id)
    return {
        "board": board, "viewer": viewer, "groups": column_groups(board, cards),
        "cards": cards, "hidden_count": len(board.cards) - len(cards),
        "carried": carried_actions(board), "revealed": revealed(board),
        "phases": PHASES, "phase_labels": PHASE_LABELS, "action_labels": ACTION_LABELS,
        "members": team_members(board), "form": CsrfForm(),
        "try_cards": sorted((c for c in cards if c.column == board.carry_column),
                            key=lambda c: (-len(c.votes), c.id)),
        "my_votes": {v.card_id for c in board.cards for v in c.votes
                     if v.user_id == viewer.user.id},
        "next_phase": (PHASES[PHASES.index(board.phase) + 1]
                       if board.phase != "closed" else None),
    }


@bp.get("/c/<slug>/sessions/<int:number>/retro")
@login_required
def session_retro(slug: str, number: int):
    """The caller's retro of a session: their team's board, or the trainers' view."""
    cohort, membership = get_cohort_for(current_user, slug)
    get_session(cohort, number)
    if services.ensure_boards(cohort.id):
        db.session.commit()
    if is_staff(membership):
        return redirect(url_for("retros.trainer_view", slug=slug, number=number))
    team_id = team_id_for(membership)
    boards = boards_of_session(cohort.id, number, team_id) if team_id else []
    if not boards:
        raise NotFound("チームが決まると、振り返りボードを使えるようになります。")
    return redirect(url_for("retros.board_page", board_id=boards[0].id))


@bp.get("/retros/<int:board_id>")
@login_required
def board_page(board_id: int):
    board, viewer = get_board_for(current_user, board_id)
    board = load_board(board.id)
    cohort = db.session.get(Cohort, board.cohort_id)
    return render_template("retros/board.html", cohort=cohort,
                           **_board_page_context(board, viewer))


@bp.get("/retros/<int:board_id>/partial")
@login_required
def board_partial(board_id: int):
    """The live part of the board page, re-read by the page after each `retro_updated`."""
    board, viewer = get_board_for(current_user, board_id)
    board = load_board(board.id)
    return render_template("retros/_board.html", **_board_page_context(board, viewer))


def _board_action(board_id: int, do, anchor: str = "retro-board", also_next=False):
    """Load and check, run one service, commit, then broadcast; a refusal is flashed."""
    board, viewer = get_board_for(current_user, board_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    board = load_board(board.id)
    try:
        message = do(board, viewer)
    except DomainError as exc:
        db.session.rollback()
        if exc.status in (403,):
            raise
        flash(exc.message, "error")
        return _back(board.id, anchor)
    following = next_board_id(board) if also_next else None
    db.session.commit()
    emit_boards([board.id, *([following] if following else [])])
    if message:
        flash(message, "success")
    return _back(board.id, anchor)


@bp.post("/retros/<int:board_id>/cards")
@login_required
def add_card(board_id: int):
    def do(board, viewer):
        services.add_card(board, viewer, column=request.form.get("column", ""),
                          body=request.form.get("body", ""),
                          client_card_id=request.form.get("client_card_id") or None)
        return "カードを追加しました(公開までほかの人には見えません)。"
    return _board_action(board_id, do, anchor="write")


@bp.post("/retros/<int:board_id>/votes")
@login_required
def vote(board_id: int):
    def do(board, viewer):
        card_id = _int_field("card_id")
        if request.form.get("withdraw"):
            services.withdraw_vote(board, viewer, card_id)
            return "投票を取り消しました。"
        services.cast_vote(board, viewer, card_id)
        return "投票しました。"
    return _board_action(board_id, do, anchor=f"card-{request.form.get('card_id', '')}")


@bp.post("/retros/<int:board_id>/groups")
@login_required
def group(board_id: int):
    def do(board, viewer):
        services.group_card(board, viewer, _int_field("card_id"), _int_field("with_id"))
        return "カードをまとめました。" if request.form.get("with_id") else "まとめを解除しました。"
    return _board_action(board_id, do, anchor=f"card-{request.form.get('card_id', '')}")


@bp.post("/retros/<int:board_id>/actions")
@login_required
def add_action(board_id: int):
    def do(board, viewer):
        services.add_action(board, viewer, title=request.form.get("title", ""),
                            card_id=_int_field("card_id"), owner_id=_int_field("owner_id"))
        return "アクションを追加しました。"
    return _board_action(board_id, do, anchor="actions", also_next=True)


@bp.post("/retros/<int:board_id>/phase")
@login_required
def move_phase(board_id: int):
    def do(board, viewer):
        require_staff(viewer)
        phase = request.form.get("phase", "")
        services.move_phase(board, viewer.user, phase)
        return f"フェーズを「{PHASE_LABELS.get(phase, phase)}」にしました。"
    return _board_action(board_id, do, anchor="phase")


@bp.post("/retros/<int:board_id>/timer")
@login_required
def set_timer(board_id: int):
    def do(board, viewer):
        require_staff(viewer)
        minutes = _int_field("minutes")
        services.set_timer(board, 0 if minutes is None else minutes)
        return "タイマーを設定しました。" if minutes else "タイマーを止めました。"
    return _board_action(board_id, do, anchor="phase")


@bp.post("/retro-actions/<int:action_id>")
@login_required
def update_action(action_id: int):
    action, _viewer = get_action_for(current_user, action_id)
    back = request.form.get("board_id", "")
    target = int(back) if back.isdigit() else action.board_id
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        services.update_action(action, status=request.form.get("status") or None,
                               comment=request.form.get("comment", ""))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(target, "carried")
    board = action.board
    following = next_board_id(board)
    db.session.commit()
    emit_boards([board.id, *([following] if following else [])])
    flash("アクションの状況を保存しました。", "success")
    return _back(target, "carried")


# --- Trainers: every team's board of a session, and the summary -----------------------------

def _session_boards(slug: str, number: int, staff_only: bool):
    cohort, membership = get_cohort_for(current_user, slug)
    if staff_only:
        require_role(membership, *STAFF_ROLES)
    ws: WorkshopSession = get_session(cohort, number)
    if services.ensure_boards(cohort.id):
        db.session.commit()
    if is_staff(membership):
        boards = boards_of_session(cohort.id, number, full=True)
    else:
        team_id = team_id_for(membership)
        boards = boards_of_session(cohort.id, number, team_id, full=True) if team_id else []
    carried = carried_by_team(cohort.id, number, [b.team_id for b in boards])
    return cohort, membership, ws, boards, carried


@bp.get("/c/<slug>/sessions/<int:number>/retros")
@login_required
def trainer_view(slug: str, number: int):
    cohort, membership, ws, boards, carried = _session_boards(slug, number, staff_only=True)
    views = []
    for board in boards:
        cards = visible_cards(board, current_user.id)
        top = sorted((c for c in cards if c.votes), key=lambda c: (-len(c.votes), c.id))[:3]
        views.append({"board": board, "cards": cards, "hidden": len(board.cards) - len(cards),
                      "groups": column_groups(board, cards), "top": top,
                      "carried": carried.get(board.team_id, [])})
    behind = min((PHASES.index(b.phase) for b in boards), default=0)
    suggested = PHASES[min(behind + 1, len(PHASES) - 1)]
    return render_template("retros/trainer.html", cohort=cohort, ws=ws, views=views,
                           phases=PHASES, phase_labels=PHASE_LABELS, form=CsrfForm(),
                           suggested=suggested)


@bp.post("/c/<slug>/sessions/<int:number>/retros/phase")
@login_required
def move_all(slug: str, number: int):
    cohort, membership = get_cohort_for(current_user, slug)
    require_role(membership, *STAFF_ROLES)
    get_session(cohort, number)
    if not CsrfForm().validate_on_submit():
        abort(400)
    boards = boards_of_session(cohort.id, number)
    phase = request.form.get("phase", "")
    minutes = _int_field("minutes")
    try:
        changed = services.move_all(boards, current_user, phase)
        if minutes:
            for board in boards:
                services.set_timer(board, minutes)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("retros.trainer_view", slug=slug, number=number))
    db.session.commit()
    emit_boards([b.id for b in boards])
    flash(f"{len(changed)}チームのボードを「{PHASE_LABELS[phase]}」にしました。", "success")
    return redirect(url_for("retros.trainer_view", slug=slug, number=number))


@bp.get("/c/<slug>/sessions/<int:number>/retros/summary")
@login_required
def summary(slug: str, number: int):
    """One page per session: each visible team's revealed cards with votes, and actions."""
    cohort, membership, ws, boards, carried = _session_boards(slug, number, staff_only=False)
    views = []
    for board in boards:
        cards = list(board.cards) if revealed(board) else []
        views.append({"board": board, "groups": column_groups(board, cards),
                      "hidden": len(board.cards) - len(cards),
                      "carried": carried.get(board.team_id, [])})
    return render_template("retros/summary.html", cohort=cohort, ws=ws, views=views,
                           phase_labels=PHASE_LABELS, is_staff=is_staff(membership))
