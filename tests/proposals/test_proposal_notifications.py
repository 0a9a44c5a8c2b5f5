"""Proposal events reach the right people through notifications, and a review or comment
the trainers have not released reaches no one in the team."""

from __future__ import annotations

from sqlalchemy import delete

from lms.notifications.models import Notification
from tests.notifications.helpers import notes_of
from tests.proposals.test_proposal_review import submitted_proposal


def about(email: str, kind: str, pid: int) -> list:
    return [n for n in notes_of(email, kind)
            if n.url.split("#")[0].endswith(f"/proposals/{pid}")]


def test_proposal_notifications_follow_submit_comment_and_release(client, demo, people,
                                                                  token_for, db):
    db.session.execute(delete(Notification))  # the demo's own proposals notified already
    db.session.commit()
    me, trainer = token_for(people.member), token_for(people.trainer)
    pid = submitted_proposal(client, me)
    # Submitting asks the staff for a review; the team is not told of its own act.
    assert len(about(people.trainer, "proposal_review", pid)) == 1
    assert len(about(people.organizer, "proposal_review", pid)) == 1
    assert about(people.member, "proposal_review", pid) == []
    # An unreleased comment: staff hear of it (not the trainer who wrote it), the team not.
    client.post(f"/api/v1/proposals/{pid}/comments", headers=trainer,
                json={"section": "vision_goal", "body": "これは手段です。"})
    assert about(people.member, "proposal_comment", pid) == []
    assert about(people.mate, "proposal_comment", pid) == []
    assert about(people.trainer, "proposal_comment", pid) == []
    assert len(about("trainer2@example.jp", "proposal_comment", pid)) == 1
    # A saved but unreleased review tells the team nothing; the release does.
    client.put(f"/api/v1/proposals/{pid}/review", headers=trainer, json={
        "scores": {"problem": 4, "goal": 1}, "decision": "changes_requested",
        "release": False})
    assert about(people.member, "proposal_review", pid) == []
    released = client.put(f"/api/v1/proposals/{pid}/review", headers=trainer, json={
        "scores": {"problem": 4, "goal": 1}, "decision": "changes_requested",
        "release": True})
    assert released.status_code == 200
    for email in (people.member, people.mate):
        [note] = about(email, "proposal_review", pid)
        assert "講評が公開されました" in note.text
    assert about(people.outsider, "proposal_review", pid) == []
