"""Socket.IO /proposals: who has a proposal open, "a teammate saved", refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import socketio
from lms.proposals.models import Proposal


@pytest.fixture
def sock(app, token_for):
    clients = []

    def connect(email: str):
        client = socketio.test_client(app, namespace="/proposals",
                                      auth={"token": token_for(email)["Authorization"][7:]})
        assert client.is_connected(namespace="/proposals")
        clients.append(client)
        return client

    yield connect
    for client in clients:
        if client.is_connected(namespace="/proposals"):
            client.disconnect(namespace="/proposals")


def received(client, name: str) -> list[dict]:
    return [args[0] for event in client.get_received("/proposals")
            if event["name"] == name for args in [event["args"]]]


def test_proposal_presence_and_teammate_saved_notice(client, db, demo, people, token_for,
                                                      sock):
    client.get("/api/v1/cohorts/tokyo-dx-2021/proposals", headers=token_for(people.trainer))
    pid = db.session.scalar(select(Proposal.id).where(Proposal.team_id == people.team_id))
    alice, bob = sock(people.member), sock(people.mate)
    ack = alice.emit("proposal_join", {"proposal_id": pid}, namespace="/proposals",
                     callback=True)
    assert ack["ok"] is True and ack["revision"] == 0
    ack = bob.emit("proposal_join", {"proposal_id": pid}, namespace="/proposals",
                   callback=True)
    assert len(ack["users"]) == 2
    listing = received(alice, "proposal_presence")[-1]
    assert listing["proposal_id"] == pid and len(listing["users"]) == 2
    received(bob, "proposal_saved")
    saved = client.put(f"/api/v1/proposals/{pid}", headers=token_for(people.member),
                       json={"revision": 0, "sections": {"background": "待ち時間40分"}})
    assert saved.status_code == 200
    [notice] = received(bob, "proposal_saved")
    assert notice["proposal_id"] == pid and notice["revision"] == 1
    assert notice["author"]["name"]
    # A refused save announces nothing.
    client.put(f"/api/v1/proposals/{pid}", headers=token_for(people.mate),
               json={"revision": 0, "sections": {"background": "x"}})
    assert received(bob, "proposal_saved") == []
    bob.disconnect(namespace="/proposals")
    assert len(received(alice, "proposal_presence")[-1]["users"]) == 1


def test_proposal_join_refused_for_other_teams_and_strangers(client, db, demo, people,
                                                             token_for, sock, app):
    client.get("/api/v1/cohorts/tokyo-dx-2021/proposals", headers=token_for(people.trainer))
    pid = db.session.scalar(select(Proposal.id).where(Proposal.team_id == people.team_id))
    outsider = sock(people.outsider)
    ack = outsider.emit("proposal_join", {"proposal_id": pid}, namespace="/proposals",
                        callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    for bad in ({"proposal_id": "1"}, {}, None):
        ack = outsider.emit("proposal_join", bad, namespace="/proposals", callback=True)
        assert ack["ok"] is False
    anonymous = socketio.test_client(app, namespace="/proposals")
    assert not anonymous.is_connected(namespace="/proposals")
    trainer = sock(people.trainer)
    assert trainer.emit("proposal_join", {"proposal_id": pid}, namespace="/proposals",
                        callback=True)["ok"] is True
