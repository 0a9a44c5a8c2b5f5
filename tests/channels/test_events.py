"""Socket.IO against a real server process: delivery, refusals, catch-up, retries."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid

import pytest
import socketio

from tests.channels.helpers import Peer

SLUG = "tokyo-dx-2021"


def api(server, token, path, body=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(server.url + "/api/v1" + path, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)


@pytest.fixture(scope="module")
def world(live_server):
    """Tokens for p01, a teammate, an outsider and a trainer, and the channel ids."""
    emails = [f"p{n:02d}@example.jp" for n in range(1, 51)]
    tokens = dict(zip(emails, live_server.token(*emails), strict=True))
    team_of = {}
    for email in emails:
        chans = api(live_server, tokens[email], f"/cohorts/{SLUG}/channels")
        team_of[email] = next(c["id"] for c in chans if c["kind"] == "team")
    cohort = {c["name"]: c["id"] for c in chans}
    mine = team_of["p01@example.jp"]
    mate = next(e for e in emails[2:] if team_of[e] == mine)
    outsider = next(e for e in emails if team_of[e] != mine)
    return {"tokens": tokens, "room": mine, "mate": mate, "outsider": outsider,
            "other_room": team_of[outsider], "cohort": cohort,
            "trainer": live_server.token("trainer1@example.jp")[0]}


@pytest.fixture
def peers(live_server):
    made: list[Peer] = []

    def make(token):
        peer = Peer(live_server.url, token).connect()
        made.append(peer)
        return peer

    yield make
    for peer in made:
        peer.close()


def test_team_room_delivers_to_teammates_and_not_to_other_teams(world, peers):
    t = world["tokens"]
    me, mate, outsider = (peers(t["p01@example.jp"]), peers(t[world["mate"]]),
                          peers(t[world["outsider"]]))
    assert me.call("join", {"channel_id": world["room"]}) == {"ok": True}
    assert mate.call("join", {"channel_id": world["room"]}) == {"ok": True}
    assert outsider.call("join", {"channel_id": world["other_room"]}) == {"ok": True}
    ack = me.call("send", {"channel_id": world["room"], "body": "今日の宿題どうしますか？",
                           "client_msg_id": str(uuid.uuid4()), "parent_id": None})
    assert ack["ok"] is True and ack["message"]["body"] == "今日の宿題どうしますか？"
    mid = ack["message"]["id"]
    assert mate.wait_for(lambda p: any(m["id"] == mid for m in p.messages))
    assert me.wait_for(lambda p: any(m["id"] == mid for m in p.messages))  # sender too
    time.sleep(0.3)
    assert all(m["id"] != mid for m in outsider.messages)
    # Presence: both teammates are shown in the room.
    names = {u["id"] for u in mate.presence[-1]["users"]}
    assert len(names) == 2 and mate.presence[-1]["channel_id"] == world["room"]


def test_connection_without_identity_is_refused(live_server):
    for token in (None, "lms_not-a-token"):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(live_server.url, auth={"token": token} if token else None,
                           transports=["polling"], wait_timeout=5)
        assert not client.connected


def test_join_or_send_to_another_teams_room_is_refused(world, peers):
    outsider = peers(world["tokens"][world["outsider"]])
    ack = outsider.call("join", {"channel_id": world["room"]})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    assert ack["error"]["message"] == "チャンネルが見つかりません。"
    ack = outsider.call("send", {"channel_id": world["room"], "body": "覗き見",
                                 "client_msg_id": str(uuid.uuid4())})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    news = world["cohort"]["お知らせ"]
    ack = outsider.call("send", {"channel_id": news, "body": "x", "client_msg_id": "n1"})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    for bad in ({"channel_id": "1"}, ["x"], {"channel_id": world["cohort"]["DX導入事例"],
                                            "body": "  "}):
        ack = outsider.call("send", bad)
        assert ack["ok"] is False and ack["error"]["code"] in ("not_found", "bad_request",
                                                              "invalid", "empty")


def test_catch_up_after_disconnect_and_retry_without_duplicates(live_server, world, peers):
    t = world["tokens"]
    channel = world["cohort"]["DXの悩みごと"]
    me = peers(t["p01@example.jp"])
    me.call("join", {"channel_id": channel})
    last = me.call("send", {"channel_id": channel, "body": "接続中",
                            "client_msg_id": str(uuid.uuid4())})["message"]["id"]
    me.close()
    other = peers(t["p05@example.jp"])
    sent = [other.call("send", {"channel_id": channel, "body": f"留守中{i}",
                                "client_msg_id": str(uuid.uuid4())})["message"]["id"]
            for i in range(3)]
    back = peers(t["p01@example.jp"])
    back.call("join", {"channel_id": channel})
    missed = api(live_server, t["p01@example.jp"], f"/channels/{channel}/messages?after_id={last}")
    assert [m["id"] for m in missed] == sent
    # A retry with the same client_msg_id answers the same message and broadcasts nothing.
    key = str(uuid.uuid4())
    first = back.call("send", {"channel_id": channel, "body": "再送", "client_msg_id": key})
    again = back.call("send", {"channel_id": channel, "body": "再送", "client_msg_id": key})
    assert first["message"] == again["message"]
    time.sleep(0.3)
    assert [m["id"] for m in back.messages].count(first["message"]["id"]) == 1
    after = api(live_server, t["p01@example.jp"],
                f"/channels/{channel}/messages?after_id={sent[-1]}")
    assert [m["body"] for m in after] == ["再送"]


def test_edits_reach_the_room_as_message_updated(live_server, world, peers):
    t = world["tokens"]
    channel = world["cohort"]["DX導入事例"]
    me, reader = peers(t["p01@example.jp"]), peers(t["p07@example.jp"])
    for p in (me, reader):
        p.call("join", {"channel_id": channel})
    mid = me.call("send", {"channel_id": channel, "body": "誤字あり",
                           "client_msg_id": str(uuid.uuid4())})["message"]["id"]
    api(live_server, t["p01@example.jp"], f"/messages/{mid}", {"body": "誤字なし"}, "PATCH")
    assert reader.wait_for(lambda p: any(u["id"] == mid and u["body"] == "誤字なし"
                                         and u["edited_at"] for u in p.updated))


def test_socket_sends_are_rate_limited(world, peers):
    me = peers(world["tokens"]["p09@example.jp"])
    channel = world["cohort"]["DX導入事例"]
    acks = [me.call("send", {"channel_id": channel, "body": f"連投{i}",
                             "client_msg_id": str(uuid.uuid4())}) for i in range(31)]
    assert all(a["ok"] for a in acks[:30])
    assert acks[30]["ok"] is False and acks[30]["error"]["code"] == "rate_limited"
    assert "待って" in acks[30]["error"]["message"]
