"""The channel REST API: posting, paging, idempotency, permissions, bad input, search."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from lms.channels.models import Message


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Message))


def test_post_then_list_oldest_first_with_contract_fields(post, client, token_for, chans):
    first = post("p01@example.jp", chans["worries"].id, "電子申請の利用率が伸びません")
    second = post("p03@example.jp", chans["worries"].id, "**RPA** の導入事例を教えてください")
    assert first.status_code == 201 and second.status_code == 201
    got = client.get(f"/api/v1/channels/{chans['worries'].id}/messages",
                     headers=token_for("p05@example.jp")).get_json()
    assert [m["body"] for m in got] == ["電子申請の利用率が伸びません",
                                        "**RPA** の導入事例を教えてください"]
    m = got[1]
    assert set(m) >= {"id", "channel_id", "author", "body", "body_html", "created_at",
                      "edited_at", "deleted", "parent_id"}
    assert m["body_html"] == "<p><strong>RPA</strong> の導入事例を教えてください</p>"
    assert m["created_at"].endswith("+00:00") and m["edited_at"] is None
    assert m["author"]["name"] and m["deleted"] is False and m["parent_id"] is None


def test_retry_with_same_client_msg_id_answers_200_and_stores_nothing(post, db, chans):
    cid = str(uuid.uuid4())
    first = post("p01@example.jp", chans["worries"].id, "一度だけ", client_msg_id=cid)
    again = post("p01@example.jp", chans["worries"].id, "一度だけ", client_msg_id=cid)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert _count(db) == 1
    # Another author may use the same key: keys are unique per author.
    assert post("p02@example.jp", chans["worries"].id, "別の人", client_msg_id=cid
                ).status_code == 201


def test_paging_after_and_before_and_limits(post, client, token_for, chans):
    ids = [post("p01@example.jp", chans["cases"].id, f"事例{i}").get_json()["id"]
           for i in range(7)]
    h = token_for("p01@example.jp")
    url = f"/api/v1/channels/{chans['cases'].id}/messages"
    newest = client.get(url + "?limit=3", headers=h).get_json()
    assert [m["id"] for m in newest] == ids[-3:]
    older = client.get(url + f"?limit=3&before_id={ids[-3]}", headers=h).get_json()
    assert [m["id"] for m in older] == ids[1:4]
    after = client.get(url + f"?after_id={ids[2]}", headers=h).get_json()
    assert [m["id"] for m in after] == ids[3:]
    assert client.get(url + "?limit=1000", headers=h).status_code == 200
    # Not a number is malformed (400); a number out of range is against a rule (422).
    for bad, status in (("limit=abc", 400), ("after_id=x", 400), ("limit=0", 422),
                        ("before_id=-1", 422)):
        r = client.get(url + "?" + bad, headers=h)
        assert r.status_code == status, bad
        assert r.get_json()["error"]["message"]


def test_bad_bodies_are_refused_with_japanese_errors_and_nothing_stored(post, client, db,
                                                                      token_for, chans):
    cid = chans["worries"].id
    cases = [("", 422, "empty"), ("   \n\t ", 422, "empty"), ("あ" * 10_001, 422, "too_long"),
             (123, 400, "bad_request"), (None, 400, "bad_request"), (["x"], 400, "bad_request")]
    for body, status, code in cases:
        r = post("p01@example.jp", cid, body)
        assert r.status_code == status, body
        err = r.get_json()["error"]
        assert err["code"] == code and any("\u3040" <= ch <= "\u30ff" for ch in err["message"])
    assert post("p01@example.jp", cid, "x", client_msg_id=5).status_code == 400
    assert post("p01@example.jp", cid, "x", parent_id="1").status_code == 400
    assert post("p01@example.jp", cid, "x", parent_id=999999).status_code == 422
    r = client.post(f"/api/v1/channels/{cid}/messages", data="not json",
                    headers={**token_for("p01@example.jp"), "Content-Type": "application/json"})
    assert r.status_code == 400
    assert post("p01@example.jp", cid, "あ" * 10_000).status_code == 201  # the limit itself
    assert _count(db) == 1


def test_permissions_unknown_other_team_and_announcements(post, client, token_for, chans,
                                                          team_room_of, other_team_member, db):
    mine = team_room_of("p01@example.jp")
    stranger = other_team_member("p01@example.jp")
    assert post("p01@example.jp", 999999, "x").status_code == 404
    r = post(stranger, mine.id, "覗き見")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/channels/{mine.id}/messages",
                      headers=token_for(stranger)).status_code == 404
    r = post("p01@example.jp", chans["news"].id, "受講者からのお知らせ")
    assert r.status_code == 403 and "講師・主催者" in r.get_json()["error"]["message"]
    assert post("trainer1@example.jp", chans["news"].id, "第3回のお知らせ").status_code == 201
    assert post("organizer@example.jp", mine.id, "主催者です").status_code == 201
    assert post("trainer2@example.jp", mine.id, "講師です").status_code == 201
    assert client.get(f"/api/v1/channels/{mine.id}/messages").status_code == 401
    assert _count(db) == 3


def test_channel_list_hides_other_team_rooms_and_counts_unread(post, client, token_for, chans,
                                                              team_room_of):
    mine = team_room_of("p01@example.jp")
    post("p02@example.jp", mine.id, "はじめまして")
    post("p02@example.jp", chans["worries"].id, "悩みです")
    post("p01@example.jp", chans["worries"].id, "自分の投稿は未読に数えない")
    h = token_for("p01@example.jp")
    listing = client.get("/api/v1/cohorts/tokyo-dx-2021/channels", headers=h).get_json()
    assert [c["kind"] for c in listing].count("team") == 1
    unread = {c["id"]: c["unread"] for c in listing}
    assert unread[mine.id] == 1 and unread[chans["worries"].id] == 1
    r = client.post(f"/api/v1/channels/{mine.id}/read", json={}, headers=h)
    assert r.status_code == 200 and r.get_json()["unread"] == 0
    listing = client.get("/api/v1/cohorts/tokyo-dx-2021/channels", headers=h).get_json()
    assert {c["id"]: c["unread"] for c in listing}[mine.id] == 0
    staff = client.get("/api/v1/cohorts/tokyo-dx-2021/channels",
                       headers=token_for("trainer1@example.jp")).get_json()
    assert [c["kind"] for c in staff].count("team") == 5


def test_edit_delete_hide_and_reactions(post, client, token_for, chans):
    mid = post("p01@example.jp", chans["worries"].id, "最初の文").get_json()["id"]
    own, other = token_for("p01@example.jp"), token_for("p03@example.jp")
    r = client.patch(f"/api/v1/messages/{mid}", json={"body": "直した文"}, headers=own)
    assert r.status_code == 200 and r.get_json()["edited_at"] and r.get_json()["body"] == "直した文"
    r = client.patch(f"/api/v1/messages/{mid}", json={"body": "乗っ取り"}, headers=other)
    assert r.status_code == 403
    assert client.patch(f"/api/v1/messages/{mid}", json={"body": " "}, headers=own
                        ).status_code == 422
    r = client.post(f"/api/v1/messages/{mid}/reactions", json={"emoji": "👍"}, headers=other)
    assert r.get_json()["reactions"][0]["count"] == 1
    client.post(f"/api/v1/messages/{mid}/reactions", json={"emoji": "👍"}, headers=other)
    assert client.post(f"/api/v1/messages/{mid}/reactions", json={"emoji": "<b>"},
                       headers=other).status_code == 422
    r = client.delete(f"/api/v1/messages/{mid}/reactions/👍", headers=other)
    assert r.get_json()["reactions"] == []
    assert client.post(f"/api/v1/messages/{mid}/hide", headers=other).status_code == 403
    r = client.post(f"/api/v1/messages/{mid}/hide", headers=token_for("trainer1@example.jp"))
    assert r.status_code == 200 and r.get_json()["hidden"] is True
    seen = client.get(f"/api/v1/channels/{chans['worries'].id}/messages", headers=other
                      ).get_json()[0]
    assert seen["hidden"] and seen["body"] == "" and seen["body_html"] == ""
    assert client.delete(f"/api/v1/messages/{mid}", headers=other).status_code == 403
    r = client.delete(f"/api/v1/messages/{mid}", headers=own)
    assert r.status_code == 200 and r.get_json()["deleted"] is True
    assert client.delete("/api/v1/messages/999999", headers=own).status_code == 404


def test_threads_are_one_level(post, chans):
    root = post("p01@example.jp", chans["worries"].id, "質問です").get_json()["id"]
    reply = post("p03@example.jp", chans["worries"].id, "回答です", parent_id=root).get_json()
    assert reply["parent_id"] == root
    nested = post("p01@example.jp", chans["worries"].id, "ありがとう", parent_id=reply["id"])
    assert nested.get_json()["parent_id"] == root
    elsewhere = post("p01@example.jp", chans["cases"].id, "別チャンネル", parent_id=root)
    assert elsewhere.status_code == 422


def test_mentions_name_people_who_can_read_the_channel(post, client, token_for, team_room_of,
                                                       other_team_member, db):
    from lms.auth.services import get_user_by_email

    room = team_room_of("p01@example.jp")
    p02 = get_user_by_email("p02@example.jp")
    outsider = get_user_by_email(other_team_member())
    body = (f"@{p02.name.replace(' ', '')}さん と @{outsider.name.replace(' ', '')}さん、"
            "@trainer1 お願いします")
    m = post("p01@example.jp", room.id, body).get_json()
    assert {x["id"] for x in m["mentions"]} == {p02.id, get_user_by_email(
        "trainer1@example.jp").id}


def test_markdown_html_and_javascript_links_are_neutralised(post, chans):
    m = post("p01@example.jp", chans["worries"].id,
             "<script>alert(1)</script>[クリック](javascript:alert(1)) <img src=x onerror=y>"
             ).get_json()
    html = m["body_html"]
    # No markup from the author: raw HTML shows as text (issue 14), links lose javascript:.
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_japanese_search_finds_words_inside_sentences_only_in_readable_channels(
        post, client, token_for, chans, team_room_of, other_team_member):
    post("p01@example.jp", chans["worries"].id, "電子申請の利用率が低いのが悩みです")
    post("p01@example.jp", chans["cases"].id, "ＲＰＡで申請書の処理を自動化")
    post("p01@example.jp", team_room_of("p01@example.jp").id, "チーム内の申請の話")
    post("p01@example.jp", chans["cases"].id, "100%_達成")
    h = token_for(other_team_member())
    r = client.get("/api/v1/cohorts/tokyo-dx-2021/search?q=申請", headers=h).get_json()
    assert [m["body"] for m in r] == ["ＲＰＡで申請書の処理を自動化",
                                      "電子申請の利用率が低いのが悩みです"]
    mine = client.get("/api/v1/cohorts/tokyo-dx-2021/search?q=申請",
                      headers=token_for("p02@example.jp")).get_json()
    assert len(mine) == 3 and mine[0]["body"] == "チーム内の申請の話"
    rpa = client.get("/api/v1/cohorts/tokyo-dx-2021/search?q=rpa", headers=h).get_json()
    assert len(rpa) == 1  # NFKC + lower case: full-width ＲＰＡ matches rpa
    pct = client.get("/api/v1/cohorts/tokyo-dx-2021/search?q=%25_", headers=h).get_json()
    assert [m["body"] for m in pct] == ["100%_達成"]  # wildcards are escaped
    assert [m["id"] for m in client.get("/api/v1/cohorts/tokyo-dx-2021/search?q=%25",
                                        headers=h).get_json()] == [m["id"] for m in pct]
    assert client.get("/api/v1/cohorts/tokyo-dx-2021/search?q=+", headers=h
                      ).status_code == 422
    assert client.get("/api/v1/cohorts/nope/search?q=a", headers=h).status_code == 404


def test_too_many_messages_per_minute_is_429_with_retry_after(app, post, db, chans):
    app.config["CHANNEL_POST_LIMIT"] = "3 per minute"
    for i in range(3):
        assert post("p01@example.jp", chans["worries"].id, f"{i}").status_code == 201
    r = post("p01@example.jp", chans["worries"].id, "4件目")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert "待って" in r.get_json()["error"]["message"]
    assert _count(db) == 3
    assert post("p03@example.jp", chans["worries"].id, "他の人は送れる").status_code == 201
