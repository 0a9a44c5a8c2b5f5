"""Proposal tests start from the demo cohort with no proposal yet (each test says what
exists); tests/proposals/test_proposal_demo.py covers the seeded proposals."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from lms.auth.models import User
from lms.cohorts.access import team_id_for
from lms.cohorts.models import Membership


@pytest.fixture
def demo(db):
    from lms.demo import build_demo
    from lms.proposals.models import Proposal, ProposalPublication
    from tests.conftest import PASSWORD

    cohort = build_demo(PASSWORD).cohort
    db.session.execute(delete(ProposalPublication))
    db.session.execute(delete(Proposal))
    db.session.commit()
    return cohort


@pytest.fixture
def people(db, demo):
    """p01, a teammate from another municipality, someone from another team, staff."""
    rows = db.session.execute(
        select(Membership, User.email).join(User, Membership.user_id == User.id)
        .where(Membership.cohort_id == demo.id, Membership.role == "participant")
        .order_by(Membership.id)).all()
    me = next(m for m, e in rows if e == "p01@example.jp")
    my_team = team_id_for(me)
    mate = next(e for m, e in rows if m.municipality_code != me.municipality_code
                and team_id_for(m) == my_team)
    other = next(e for m, e in rows if team_id_for(m) != my_team)
    return SimpleNamespace(member="p01@example.jp", mate=mate, outsider=other,
                           team_id=my_team, trainer="trainer1@example.jp",
                           organizer="organizer@example.jp")
