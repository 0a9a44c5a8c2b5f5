"""On PostgreSQL: two members save the same revision at the same moment; exactly one wins,
the other is refused with the winner's text, and no save is half-stored."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from lms.app import create_app
from lms.errors import Conflict
from lms.extensions import db
from lms.proposals.access import viewer_for
from lms.proposals.models import Proposal, ProposalVersion
from lms.proposals.services import save_proposal
from tests.conftest import PASSWORD, isolate_requests

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(postgres_url):
    app = isolate_requests(create_app({"TESTING": True,
                                       "SQLALCHEMY_DATABASE_URI": postgres_url}))
    with app.app_context():
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_proposal_simultaneous_saves_one_wins_one_refused(pg_app):
    from lms.auth.models import User
    from lms.cohorts.access import membership_for, team_id_for
    from lms.cohorts.models import Cohort, Membership
    from lms.demo import build_demo

    cohort = build_demo(PASSWORD).cohort
    db.session.commit()
    me = db.session.scalar(select(Membership).join(User).where(
        Membership.cohort_id == cohort.id, User.email == "p01@example.jp"))
    team_id, cohort_id = team_id_for(me), cohort.id
    proposal = db.session.scalar(select(Proposal).where(Proposal.team_id == team_id))
    pid, start = proposal.id, proposal.revision
    loaded, outcome = threading.Barrier(2), {}

    def member_saves(email: str, text: str):
        with pg_app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            viewer = viewer_for(membership_for(user, db.session.get(Cohort, cohort_id)))
            mine = db.session.get(Proposal, pid)
            loaded.wait(10)  # both started from the same revision
            try:
                save_proposal(mine, viewer, user, revision=start,
                              sections={"background": text})
                db.session.commit()
                outcome[email] = "saved"
            except Conflict as exc:
                db.session.rollback()
                outcome[email] = exc.extra["proposal"]
            finally:
                db.session.remove()

    workers = [threading.Thread(target=member_saves, args=(email, text)) for email, text in (
        ("p01@example.jp", "一人目の文章"), ("p02@example.jp", "二人目の文章"))]
    for w in workers:
        w.start()
    for w in workers:
        w.join(20)
    assert sorted(v if v == "saved" else "refused" for v in outcome.values()) == [
        "refused", "saved"]
    winner = next(e for e, v in outcome.items() if v == "saved")
    refused = next(v for v in outcome.values() if v != "saved")
    expected = "一人目の文章" if winner == "p01@example.jp" else "二人目の文章"
    assert refused["revision"] == start + 1
    assert {s["key"]: s["body"] for s in refused["sections"]}["background"] == expected
    db.session.expire_all()
    stored = db.session.get(Proposal, pid)
    assert stored.revision == start + 1 and stored.sections["background"] == expected
    assert db.session.scalar(select(func.count()).select_from(ProposalVersion).where(
        ProposalVersion.proposal_id == pid)) == start + 1
