"""The demo cohort's proposals: every team in another state, as trainers and teams see it."""

from __future__ import annotations

from sqlalchemy import select

from lms.demo import build_demo
from lms.proposals.models import Proposal
from lms.teams.models import Team
from tests.conftest import PASSWORD


def test_proposal_demo_every_team_in_another_state(client, db, token_for):
    cohort = build_demo(PASSWORD).cohort
    db.session.commit()
    rows = db.session.execute(select(Team.number, Proposal).join(
        Proposal, Proposal.team_id == Team.id).where(Team.cohort_id == cohort.id)
        .order_by(Team.number)).all()
    states = [(p.status, bool(p.review and p.review.released_at)) for _n, p in rows]
    assert states == [("draft", False), ("submitted", False), ("changes_requested", True),
                      ("approved", True), ("submitted", True)]
    trainer = token_for("trainer1@example.jp")
    draft = client.get(f"/api/v1/proposals/{rows[0][1].id}", headers=trainer).get_json()
    assert draft["goals"]["goals"][0]["verdict"] == "means"
    assert "電子申請を導入する" in {s["key"]: s["body"] for s in draft["sections"]}["vision_goal"]
    assert all(p.revision >= 2 for _n, p in rows)
    # The team of the released review reads it with its comments beside the sections.
    released = rows[2][1]
    member = next(m for m in cohort.memberships if m.role == "participant"
                  and m.municipality_code in {cm.municipality_code
                                               for cm in released.team.members})
    headers = token_for(member.user.email)
    body = client.get(f"/api/v1/proposals/{released.id}", headers=headers).get_json()
    assert body["review"]["decision"] == "changes_requested"
    assert len(body["review"]["scores"]) == 5
    comments = client.get(f"/api/v1/proposals/{released.id}/comments", headers=headers)
    assert len(comments.get_json()) == 4  # three trainer comments and the team's reply
    # Team 2's comment is not released: its members see none.
    waiting = rows[1][1]
    mate = next(m for m in cohort.memberships if m.role == "participant"
                and m.municipality_code in {cm.municipality_code
                                             for cm in waiting.team.members})
    assert client.get(f"/api/v1/proposals/{waiting.id}/comments",
                      headers=token_for(mate.user.email)).get_json() == []
