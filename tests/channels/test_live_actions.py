"""Live for everyone in the room, against a real server (issue 13): a reply, an edit and a
reaction reach every socket in the channel without reloading (stored before they are sent),
never another team; and a session's reschedule appears in 「お知らせ」 for those who have it
open."""

from __future__ import annotations

import html
import re
import time
import uuid
from datetime import date, timedelta

import pytest

from tests.channels.helpers import Peer, logged_in
from tests.channels.test_events import api
from tests.conftest import csrf_from

SLUG = "tokyo-dx-2021"


@pytest.fixture(scope="module")
def world(live_server):
    emails = [f"p{n:02d}@example.jp" for n in range(1, 51)]
    tokens = dict(zip(emails, live_server.token(*emails), strict=True))
    team_of = {}
    for email in emails:
        chans = api(live_server, tokens[email], f"/cohorts/{SLUG}/channels")
        team_of[email] = next(c["id"] for c in chans if c["kind"] == "team")
    mine = team_of["p01@example.jp"]
    return {"tokens": tokens, "room": mine,
            "mate": next(e for e in emails[2:] if team_of[e] == mine),
            "outsider": next(e for e in emails if team_of[e] != mine),
            "cohort": {c["name"]: c["id"] for c in chans}}


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


def test_reply_edit_and_reaction_reach_everyone_in_the_room(world, peers, live_server):
    t = world["tokens"]
    me, mate = peers(t["p01@example.jp"]), peers(t[world["mate"]])
    outsider = peers(t[world["outsider"]])
    room = world["room"]
    for peer in (me, mate):
        assert peer.call("join", {"channel_id": room}) == {"ok": True}
    other_room = api(live_server, t[world["outsider"]], f"/cohorts/{SLUG}/channels")
    assert outsider.call("join", {"channel_id": next(
        c["id"] for c in other_room if c["kind"] == "team")}) == {"ok": True}

    root = me.call("send", {"channel_id": room, "body": "資料はどこですか",
                            "client_msg_id": str(uuid.uuid4())})["message"]

    # A reply: to both sockets, with its parent.
    ack = mate.call("send", {"channel_id": room, "body": "共有フォルダです",
                             "client_msg_id": str(uuid.uuid4()), "parent_id": root["id"]})
    reply = ack["message"]
    assert reply["parent_id"] == root["id"]
    assert me.wait_for(lambda p: any(m["id"] == reply["id"] and m["parent_id"] == root["id"]
                                     for m in p.messages))

    # A reaction by the teammate: both see the count, with who reacted.
    ack = mate.call("react", {"message_id": root["id"], "emoji": "👍"})
    assert ack["ok"] and ack["message"]["reactions"][0]["count"] == 1

    def reacted(p):
        return any(u["id"] == root["id"] and u["reactions"] and
                   u["reactions"][0]["user_ids"] for u in p.updated)
    assert me.wait_for(reacted) and mate.wait_for(reacted)
    # Stored before it was sent: the history says the same.
    stored = api(live_server, t["p01@example.jp"],
                 f"/channels/{room}/messages?after_id={root['id'] - 1}&limit=1")[0]
    assert stored["reactions"] == [{"emoji": "👍", "count": 1,
                                    "user_ids": ack["message"]["reactions"][0]["user_ids"]}]
    # Pressed again without `on`: taken back; on=false when not there changes nothing.
    assert mate.call("react", {"message_id": root["id"], "emoji": "👍"})["message"][
        "reactions"] == []
    assert mate.call("react", {"message_id": root["id"], "emoji": "👍", "on": False})["ok"]
    bad = mate.call("react", {"message_id": root["id"], "emoji": "🍣"})
    assert bad["ok"] is False and bad["error"]["code"] == "bad_emoji"

    # An edit by the author: everyone's copy changes.
    ack = me.call("edit", {"message_id": root["id"], "body": "**資料**はどこですか？"})
    assert ack["ok"] and ack["message"]["edited_at"]
    assert mate.wait_for(lambda p: any(u["id"] == root["id"] and "<strong>資料</strong>" in
                                       u["body_html"] for u in p.updated))
    # Someone else's message cannot be edited; an empty text is refused, nothing sent.
    refused = mate.call("edit", {"message_id": root["id"], "body": "書き換え"})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    empty = me.call("edit", {"message_id": root["id"], "body": "  "})
    assert empty["ok"] is False and empty["error"]["code"] == "empty"
    assert me.call("edit", {"message_id": "1", "body": "x"})["error"]["code"] == "bad_request"

    # Another team hears nothing and cannot act on the message (it does not exist for them).
    for event, data in (("react", {"message_id": root["id"], "emoji": "👍"}),
                        ("edit", {"message_id": root["id"], "body": "x"})):
        assert outsider.call(event, data)["error"]["code"] == "not_found"
    time.sleep(0.3)
    assert not any(m["id"] in (root["id"], reply["id"]) for m in outsider.messages)
    assert not any(u["id"] == root["id"] for u in outsider.updated)


def _form_values(page: str) -> dict:
    values = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        values[name] = html.unescape(value)
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page,
                                  re.S):
        values[name] = html.unescape(value).lstrip("\n")
    return values


def test_reschedule_announcement_is_broadcast_to_the_open_channel(world, peers, live_server):
    news = world["cohort"]["お知らせ"]
    reader = peers(world["tokens"]["p01@example.jp"])
    assert reader.call("join", {"channel_id": news}) == {"ok": True}

    trainer = logged_in(live_server, "trainer1@example.jp")
    edit = trainer.get(f"{live_server.url}/c/{SLUG}/sessions/3/edit", timeout=10)
    assert edit.status_code == 200
    values = _form_values(edit.text)
    values["csrf_token"] = csrf_from(edit.text)
    values["date"] = (date.fromisoformat(values["date"]) + timedelta(days=1)).isoformat()
    saved = trainer.post(f"{live_server.url}/c/{SLUG}/sessions/3/edit", data=values,
                         timeout=10, allow_redirects=False)
    assert saved.status_code == 302, saved.text[:2000]

    assert reader.wait_for(lambda p: any(m["channel_id"] == news and "の変更】" in m["body"]
                                         for m in p.messages), timeout=10)
    live = next(m for m in reader.messages if "の変更】" in m["body"])
    # The same message as the history holds (stored before it was sent).
    history = api(live_server, world["tokens"]["p01@example.jp"],
                  f"/channels/{news}/messages?limit=5")
    assert live["id"] in [m["id"] for m in history]
    assert live["author"]["name"] and "日時" in live["body"]
