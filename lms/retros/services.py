"""Retro boards: set-up from the course template, cards, phases, votes, groups, actions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.api.validation import clean_text
from lms.auth.models import User
from lms.cohorts.models import Cohort
from lms.courses.model import RetroTemplate
from lms.db import utcnow
from lms.errors import BadRequest, NotFound, ValidationError
from lms.extensions import db
from lms.retros.access import Viewer, require_team_member, team_members
from lms.retros.models import (
    ACTION_MAX,
    ACTION_STATUSES,
    CARD_MAX,
    COMMENT_MAX,
    PHASE_LABELS,
    PHASES,
    RetroAction,
    RetroBoard,
    RetroCard,
    RetroConfig,
    RetroVote,
)
from lms.retros.signals import retro_phase_changed
from lms.sessions.models import WorkshopSession
from lms.teams.models import Team

# Used when a cohort predates its retro settings (or its course had none).
DEFAULT_COLUMNS = [
    {"key": "keep", "title": "Keep(続けること)", "prompt": "続けたいことは何ですか?"},
    {"key": "problem", "title": "Problem(困ったこと)", "prompt": "困ったことは何ですか?"},
    {"key": "try", "title": "Try(次に試すこと)", "prompt": "次に試すことは何ですか?"},
]
YWT_COLUMNS = [
    {"key": "y", "title": "やったこと", "prompt": "この回と宿題でやったことは?"},
    {"key": "w", "title": "わかったこと", "prompt": "やってみてわかったことは?"},
    {"key": "t", "title": "つぎにやること", "prompt": "次の回までにやることは?"},
]
MAX_TIMER_MINUTES = 120


def _no_nul(text: str, what: str) -> str:
    """The text stripped; NUL and lone surrogates (no database stores them) are refused."""
    try:
        clean_text(text)
    except ValueError:
        raise ValidationError(f"{what}に使えない文字が含まれています。") from None
    return text.strip()


# --- Set-up ---------------------------------------------------------------------------------

def configure_retros(cohort: Cohort, template: RetroTemplate) -> RetroConfig:
    """Store the course template's retro format for the cohort (its boards copy it)."""
    config = RetroConfig(
        cohort_id=cohort.id, format=template.format,
        columns=[{"key": c.key, "title": c.label, "prompt": c.prompt} for c in template.columns],
        carry_column=template.carry_forward, votes_per_person=template.votes_per_person)
    db.session.add(config)
    db.session.flush()
    return config


def ensure_boards(cohort_id: int) -> int:
    """Create every missing board (each team × each session), open for writing; returns
    how many were created. Called when a cohort gets teams and on first access, so every
    team has a board for every session whatever the order things were set up in."""
    config = db.session.scalar(select(RetroConfig).where(RetroConfig.cohort_id == cohort_id))
    sessions = list(db.session.scalars(select(WorkshopSession.id).where(
        WorkshopSession.cohort_id == cohort_id)))
    teams = list(db.session.scalars(select(Team.id).where(Team.cohort_id == cohort_id)))
    if not sessions or not teams:
        return 0
    existing = {tuple(row) for row in db.session.execute(
        select(RetroBoard.session_id, RetroBoard.team_id).where(
            RetroBoard.cohort_id == cohort_id))}
    created = 0
    for session_id in sessions:
        for team_id in teams:
            if (session_id, team_id) in existing:
                continue
            db.session.add(RetroBoard(
                cohort_id=cohort_id, session_id=session_id, team_id=team_id,
                format=config.format if config else "KPT",
                columns=list(config.columns) if config else list(DEFAULT_COLUMNS),
                carry_column=config.carry_column if config else "try",
                votes_per_person=config.votes_per_person if config else 3, phase="write"))
            created += 1
    if created:
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:  # another request created the same boards at this moment
            return 0
    return created


# --- Cards ----------------------------------------------------------------------------------

def add_card(board: RetroBoard, viewer: Viewer, *, column: object, body: object,
             client_card_id: object = None) -> tuple[RetroCard, bool]:
    """A card by a team member in the write phase; a repeated client_card_id returns the
    first card (False). Raises BadRequest for wrong types, ValidationError against a rule."""
    if not isinstance(column, str) or not isinstance(body, str):
        raise BadRequest("column と body を文字列で送ってください。")
    if client_card_id is not None and (not isinstance(client_card_id, str)
                                       or not 0 < len(client_card_id) <= 64):
        raise BadRequest("client_card_id は64文字までの文字列で送ってください。")
    if client_card_id:
        existing = db.session.scalar(select(RetroCard).where(
            RetroCard.author_id == viewer.user.id, RetroCard.client_card_id == client_card_id))
        if existing is not None:
            return existing, False
    require_team_member(viewer, "カードを書ける")
    if board.phase != "write":
        raise ValidationError(f"いまは「{board.phase_label}」の段階なので、カードは書けません。",
                              code="wrong_phase")
    if column not in {c["key"] for c in board.columns}:
        raise ValidationError("その列はこのボードにありません。", code="unknown_column")
    text = _no_nul(body, "カード")
    if not text:
        raise ValidationError("カードの内容を入力してください。")
    if len(text) > CARD_MAX:
        raise ValidationError(f"カードは{CARD_MAX}文字以内で書いてください。")
    try:
        with db.session.begin_nested():
            card = RetroCard(board=board, column=column, body=text, author=viewer.user,
                             client_card_id=client_card_id or None, votes=[])
            db.session.add(card)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(select(RetroCard).where(
            RetroCard.author_id == viewer.user.id, RetroCard.client_card_id == client_card_id))
        if existing is None:
            raise
        return existing, False
    _touch(board)
    return card, True


def group_card(board: RetroBoard, viewer: Viewer, card_id: object,
               with_id: object) -> RetroCard:
    """Put a card into the group of another (None to take it out); after the reveal and
    before the actions are done. Raises ValidationError or NotFound."""
    if board.phase not in ("reveal", "vote", "act"):
        raise ValidationError("カードをまとめられるのは公開のあと、終了までです。",
                              code="wrong_phase")
    card = _card_of(board, card_id)
    if with_id is None:
        card.group_id = None
    else:
        other = _card_of(board, with_id)
        if other.id == card.id:
            raise ValidationError("同じカードどうしはまとめられません。")
        if other.column != card.column:
            raise ValidationError("まとめられるのは同じ列のカードどうしです。",
                                  code="other_column")
        lead = other.group_id or other.id
        card.group_id = lead
        for member in board.cards:  # the cards grouped under this one follow it
            if member.group_id == card.id:
                member.group_id = lead
    _touch(board)
    db.session.flush()
    return card


def _card_of(board: RetroBoard, card_id: object) -> RetroCard:
    if not isinstance(card_id, int) or isinstance(card_id, bool):
        raise BadRequest("card_id を整数で送ってください。")
    card = next((c for c in board.cards if c.id == card_id), None)
    if card is None:
        raise NotFound("そのカードはこのボードにありません。")
    return card


# --- Phases and timer -----------------------------------------------------------------------

def move_phase(board: RetroBoard, actor: User, phase: object) -> bool:
    """Move the board forward to `phase` (staff; checked by the caller). Returns whether it
    changed; raises ValidationError for an unknown phase or a step back."""
    if not isinstance(phase, str):
        raise BadRequest("phase を文字列で送ってください。")
    if phase not in PHASES:
        raise ValidationError(f"フェーズは {' / '.join(PHASES)} のいずれかです。",
                              code="unknown_phase")
    if phase == board.phase:
        return False
    if PHASES.index(phase) < PHASES.index(board.phase):
        raise ValidationError(
            f"「{board.phase_label}」から「{PHASE_LABELS[phase]}」へは戻せません。",
            code="backwards")
    old = board.phase
    board.phase = phase
    board.timer_ends_at = None
    _touch(board)
    db.session.flush()
    retro_phase_changed.send(board, actor=actor, old_phase=old, new_phase=phase)
    return True


def move_all(boards: list[RetroBoard], actor: User, phase: object) -> list[RetroBoard]:
    """Move every board of a session that is behind `phase` up to it; the changed boards."""
    if not isinstance(phase, str) or phase not in PHASES:
        raise ValidationError(f"フェーズは {' / '.join(PHASES)} のいずれかです。")
    changed = []
    for board in boards:
        if PHASES.index(board.phase) < PHASES.index(phase):
            move_phase(board, actor, phase)
            changed.append(board)
    return changed


def set_timer(board: RetroBoard, minutes: object) -> None:
    """A countdown everyone sees: ends `minutes` from now; 0 clears it."""
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        raise BadRequest("minutes を整数で送ってください。")
    if not 0 <= minutes <= MAX_TIMER_MINUTES:
        raise ValidationError(f"タイマーは0〜{MAX_TIMER_MINUTES}分で指定してください。")
    board.timer_ends_at = utcnow() + timedelta(minutes=minutes) if minutes else None
    _touch(board)
    db.session.flush()


# --- Votes ----------------------------------------------------------------------------------

def cast_vote(board: RetroBoard, viewer: Viewer, card_id: object) -> RetroVote:
    """A team member's vote in the vote phase, one per card, at most votes_per_person."""
    require_team_member(viewer, "投票できる")
    if board.phase != "vote":
        raise ValidationError("投票できるのは「投票」の段階だけです。", code="wrong_phase")
    card = _card_of(board, card_id)
    # One voter at a time per board (a row lock on PostgreSQL), so that two votes sent at
    # once cannot both pass the allowance check.
    db.session.execute(select(RetroBoard.id).where(RetroBoard.id == board.id).with_for_update())
    used = db.session.scalar(select(func.count(RetroVote.id)).where(
        RetroVote.board_id == board.id, RetroVote.user_id == viewer.user.id)) or 0
    if any(v.user_id == viewer.user.id for v in card.votes):
        raise ValidationError("このカードにはもう投票しています。", code="already_voted")
    if used >= board.votes_per_person:
        raise ValidationError(f"投票できるのは1人{board.votes_per_person}票までです。",
                              code="no_votes_left")
    try:
        with db.session.begin_nested():
            vote = RetroVote(board_id=board.id, card=card, user_id=viewer.user.id)
            db.session.add(vote)
            db.session.flush()
    except IntegrityError:
        db.session.expire(card, ["votes"])
        raise ValidationError("このカードにはもう投票しています。", code="already_voted") from None
    _touch(board)
    return vote


def withdraw_vote(board: RetroBoard, viewer: Viewer, card_id: object) -> None:
    require_team_member(viewer, "投票を取り消せる")
    if board.phase != "vote":
        raise ValidationError("投票を取り消せるのは「投票」の段階だけです。", code="wrong_phase")
    card = _card_of(board, card_id)
    vote = next((v for v in card.votes if v.user_id == viewer.user.id), None)
    if vote is None:
        raise NotFound("このカードには投票していません。")
    card.votes.remove(vote)
    db.session.delete(vote)
    _touch(board)
    db.session.flush()


# --- Actions --------------------------------------------------------------------------------

def add_action(board: RetroBoard, viewer: Viewer, *, title: object, card_id: object = None,
               owner_id: object = None) -> RetroAction:
    """An action with an owner from the team, in the act phase (team members and staff)."""
    if not isinstance(title, str):
        raise BadRequest("title を文字列で送ってください。")
    if owner_id is not None and (not isinstance(owner_id, int) or isinstance(owner_id, bool)):
        raise BadRequest("owner_id を整数で送ってください。")
    if board.phase != "act":
        raise ValidationError("アクションを決められるのは「アクション」の段階だけです。",
                              code="wrong_phase")
    text = _no_nul(title, "アクション")
    if not text:
        raise ValidationError("アクションの内容を入力してください。")
    if len(text) > ACTION_MAX:
        raise ValidationError(f"アクションは{ACTION_MAX}文字以内で書いてください。")
    card = _card_of(board, card_id) if card_id is not None else None
    if owner_id is not None and owner_id not in {u.id for u in team_members(board)}:
        raise ValidationError("担当者はこのチームのメンバーから選んでください。",
                              code="unknown_owner")
    action = RetroAction(board=board, card_id=card.id if card else None, title=text,
                         owner_id=owner_id, created_by_id=viewer.user.id)
    db.session.add(action)
    db.session.flush()
    _touch(board)
    return action


def update_action(action: RetroAction, *, status: object, comment: object) -> RetroAction:
    """Mark an action done / open / dropped with a comment (what happened to our Try)."""
    if status is not None and not isinstance(status, str):
        raise BadRequest("status を文字列で送ってください。")
    if comment is not None and not isinstance(comment, str):
        raise BadRequest("comment を文字列で送ってください。")
    if status is None and comment is None:
        raise BadRequest("status か comment を送ってください。")
    if status is not None and status not in ACTION_STATUSES:
        raise ValidationError(f"status は {' / '.join(ACTION_STATUSES)} のいずれかです。")
    if comment is not None:
        text = _no_nul(comment, "コメント")
        if len(text) > COMMENT_MAX:
            raise ValidationError(f"コメントは{COMMENT_MAX}文字以内で書いてください。")
        action.comment = text
    if status is not None:
        action.status = status
    action.updated_at = utcnow()
    db.session.flush()
    return action


def _touch(board: RetroBoard) -> None:
    board.updated_at = utcnow()
