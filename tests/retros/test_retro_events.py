"""Retro boards over Socket.IO (/retros): join, refusals, and each connection receiving the
board as its own user may see it (nobody gets another's card before the reveal)."""

from __future__ import annotations

from lms.extensions import socketio
from tests.retros.helpers import updates


def test_retro_join_acks_with_the_callers_board(sock, card, people, board_of):
    board = board_of(people["team_id"], 4)
    card(people["me"], board.id, "私のカード")
    mate = sock(people["mate"])
    ack = mate.emit("retro_join", {"retro_id": board.id}, namespace="/retros", callback=True)
    assert ack["ok"] is True
    assert ack["board"]["cards"] == [] and ack["board"]["hidden_count"] == 1


def test_retro_join_refusals(sock, app, people, board_of):
    board = board_of(people["team_id"], 4)
    outsider = sock(people["outsider"])
    for data, code in (({"retro_id": board.id}, "not_found"), ({"retro_id": "x"}, "not_found"),
                       ("nope", "bad_request"), ({"retro_id": 999999}, "not_found")):
        ack = outsider.emit("retro_join", data, namespace="/retros", callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == code, data
    stranger = socketio.test_client(app, namespace="/retros", auth={"token": "bad"})
    assert not stranger.is_connected("/retros")


def test_retro_updates_before_reveal_carry_only_each_users_own_cards(
        sock, card, api, people, board_of):
    board = board_of(people["team_id"], 4)
    me, mate, trainer = sock(people["me"]), sock(people["mate"]), sock(people["trainer"])
    outsider = sock(people["outsider"])
    for client in (me, mate, trainer):
        assert client.emit("retro_join", {"retro_id": board.id}, namespace="/retros",
                           callback=True)["ok"]
    outsider.emit("retro_join", {"retro_id": board.id}, namespace="/retros", callback=True)
    for client in (me, mate, trainer, outsider):
        client.get_received("/retros")

    assert card(people["me"], board.id, "まだ秘密のKeep").status_code == 201
    got_me, got_mate, got_trainer = updates(me), updates(mate), updates(trainer)
    assert [c["body"] for c in got_me[-1]["cards"]] == ["まだ秘密のKeep"]
    for got in (got_mate, got_trainer):
        assert got and got[-1]["cards"] == [] and got[-1]["hidden_count"] == 1
        assert "まだ秘密" not in repr(got)
    assert updates(outsider) == []

    api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "reveal"})
    for client in (me, mate, trainer):
        last = updates(client)[-1]
        assert last["phase"] == "reveal"
        assert [c["body"] for c in last["cards"]] == ["まだ秘密のKeep"]
    assert updates(outsider) == []


def test_retro_votes_and_actions_arrive_live(sock, card, api, people, board_of):
    board = board_of(people["team_id"], 4)
    card_id = card(people["mate"], board.id, "試すこと", "try").get_json()["id"]
    api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "vote"})
    me = sock(people["me"])
    me.emit("retro_join", {"retro_id": board.id}, namespace="/retros", callback=True)
    me.get_received("/retros")
    api(people["mate"], "post", f"/retros/{board.id}/votes", json={"card_id": card_id})
    assert updates(me)[-1]["cards"][0]["votes"] == 1
    api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "act"})
    api(people["mate"], "post", f"/retros/{board.id}/actions",
        json={"title": "やってみる", "card_id": card_id, "owner_id": None})
    assert [a["title"] for a in updates(me)[-1]["actions"]] == ["やってみる"]
