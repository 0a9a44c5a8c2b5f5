"""On PostgreSQL: votes sent at the same moment never exceed the allowance."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from lms.app import create_app
from lms.auth.services import get_user_by_email
from lms.cohorts.access import membership_for, team_id_for
from lms.extensions import db
from lms.retros import services
from lms.retros.access import Viewer
from lms.retros.models import RetroCard, RetroVote
from lms.retros.reading import boards_of_session, load_board
from tests.conftest import PASSWORD

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(postgres_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url})
    with app.app_context():
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_retro_concurrent_votes_stay_within_votes_per_person(pg_app):
    from lms.demo import build_demo

    cohort = build_demo(PASSWORD).cohort
    db.session.commit()
    me = get_user_by_email("p01@example.jp")
    membership = membership_for(me, cohort)
    board = boards_of_session(cohort.id, 4, team_id_for(membership))[0]
    viewer = Viewer(me, membership, False, True)
    for i in range(6):
        services.add_card(board, viewer, column="try", body=f"案{i}")
    services.move_phase(board, me, "vote")
    db.session.commit()
    board_id, user_id, cohort_id = board.id, me.id, cohort.id
    card_ids = list(db.session.scalars(select(RetroCard.id).where(
        RetroCard.board_id == board_id)))
    db.session.remove()
    start, outcomes = threading.Barrier(len(card_ids)), []

    def vote(card_id: int) -> None:
        with pg_app.app_context():
            user = db.session.get(type(me), user_id)
            from lms.cohorts.models import Cohort

            m = membership_for(user, db.session.get(Cohort, cohort_id))
            target = load_board(board_id)
            start.wait()
            try:
                services.cast_vote(target, Viewer(user, m, False, True), card_id)
                db.session.commit()
                outcomes.append("ok")
            except Exception as exc:  # noqa: BLE001 - record what the caller would see
                db.session.rollback()
                outcomes.append(getattr(exc, "code", repr(exc)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=vote, args=(c,)) for c in card_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    stored = db.session.scalar(select(func.count(RetroVote.id)).where(
        RetroVote.board_id == board_id, RetroVote.user_id == user_id))
    assert stored == 3
    assert sorted(outcomes) == ["no_votes_left"] * 3 + ["ok"] * 3
