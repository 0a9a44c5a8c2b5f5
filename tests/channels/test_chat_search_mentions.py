"""Chat from the outside (issue 13): search filtered by channel and author with the words found
marked (and nothing written turned into HTML); @-mention candidates limited to who may read the
channel; a mention that matches nobody says so; replies folded under their parent."""

from __future__ import annotations

import re

from lms.auth.services import get_user_by_email

SLUG = "tokyo-dx-2021"
SEARCH = f"/api/v1/cohorts/{SLUG}/search"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [m["id"] for m in response.get_json()]


def test_search_filters_by_channel_and_author_and_marks_the_words(
        post, client, token_for, chans, team_room_of, other_team_member):
    a = post("p01@example.jp", chans["worries"].id, "電子申請の利用率が低い").get_json()
    b = post("p03@example.jp", chans["worries"].id, "申請書の様式を統一したい").get_json()
    c = post("p03@example.jp", chans["cases"].id, "<b>オンライン申請</b>を始めました").get_json()
    room = team_room_of("p01@example.jp")
    d = post("p01@example.jp", room.id, "チームで申請の話").get_json()
    h = token_for("p01@example.jp")
    p03 = get_user_by_email("p03@example.jp").id

    assert _ids(client.get(SEARCH, query_string={"q": "申請"}, headers=h)) == [
        d["id"], c["id"], b["id"], a["id"]]
    assert _ids(client.get(SEARCH, query_string={"q": "申請", "channel_id": chans["worries"].id},
                           headers=h)) == [b["id"], a["id"]]
    assert _ids(client.get(SEARCH, query_string={"q": "申請", "author_id": p03},
                           headers=h)) == [c["id"], b["id"]]
    assert _ids(client.get(SEARCH, query_string={
        "q": "申請", "author_id": p03, "channel_id": chans["cases"].id}, headers=h)) == [c["id"]]

    hits = client.get(SEARCH, query_string={"q": "申請"}, headers=h).get_json()
    marked = {m["id"]: m["highlight"] for m in hits}
    assert marked[a["id"]] == "電子<mark>申請</mark>の利用率が低い"
    # Escaped first: the author's <b> is text, and <mark> is the only markup.
    assert marked[c["id"]] == "&lt;b&gt;オンライン<mark>申請</mark>&lt;/b&gt;を始めました"
    full_width = client.get(SEARCH, query_string={"q": "ＲＰＡ"}, headers=h).get_json()
    assert full_width == []
    post("p01@example.jp", chans["cases"].id, "rpa と RPA")
    rpa = client.get(SEARCH, query_string={"q": "ＲＰＡ"}, headers=h).get_json()
    assert rpa[0]["highlight"] == "<mark>rpa</mark> と <mark>RPA</mark>"

    # Another team's room as a filter: not found, nothing of it shown.
    outsider = token_for(other_team_member())
    r = client.get(SEARCH, query_string={"q": "申請", "channel_id": room.id}, headers=outsider)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.get(SEARCH, query_string={"q": "申請", "author_id": get_user_by_email(
        "p01@example.jp").id}, headers=outsider)
    assert _ids(r) == [a["id"]]  # p01's team-room post stays hidden
    r = client.get(SEARCH, query_string={"q": "申請", "channel_id": "x"}, headers=h)
    assert r.status_code in (400, 422) and "channel_id" in r.get_json()["error"]["message"]


def test_search_page_filters_and_marks(login_as, post, chans, team_room_of):
    post("p03@example.jp", chans["cases"].id, "電子申請 <script>alert(1)</script>")
    post("p01@example.jp", chans["worries"].id, "申請の悩み")
    client = login_as("p01@example.jp")
    page = client.get(f"/c/{SLUG}/search", query_string={
        "q": "申請", "channel": chans["cases"].id}).get_data(as_text=True)
    assert "（DX導入事例）：1件" in page
    assert "電子<mark>申請</mark> &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert 'id="search-channel"' in page and 'for="search-channel"' in page
    p01 = get_user_by_email("p01@example.jp")
    page = client.get(f"/c/{SLUG}/search", query_string={
        "q": "申請", "author": p01.id}).get_data(as_text=True)
    assert f"（{p01.name}さんの投稿）：1件" in page and "<mark>申請</mark>の悩み" in page


def test_mention_candidates_are_the_people_who_may_read_the_channel(
        client, token_for, chans, team_room_of, teammate, other_team_member):
    room = team_room_of("p01@example.jp")
    h = token_for("p01@example.jp")
    mate = get_user_by_email(teammate())
    outsider = get_user_by_email(other_team_member())
    trainer = get_user_by_email("trainer1@example.jp")

    def names(channel_id, q="", headers=h):
        r = client.get(f"/api/v1/channels/{channel_id}/members", query_string={"q": q},
                       headers=headers)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    found = names(room.id, mate.name[:1])
    assert any(p["id"] == mate.id for p in found)
    assert all(set(p) == {"id", "name", "handle"} for p in found)  # no mail addresses
    assert {p["handle"] for p in found if p["id"] == mate.id} == {mate.name.replace(" ", "")}
    everyone_in_room = names(room.id, "", ) + names(room.id, outsider.name[:1])
    assert outsider.id not in {p["id"] for p in everyone_in_room}
    assert trainer.id in {p["id"] for p in names(room.id, trainer.name[:2])}
    # A cohort channel: anyone of the cohort.
    assert outsider.id in {p["id"] for p in names(chans["worries"].id, outsider.name)}
    assert names(chans["worries"].id, "該当なしの名前") == []
    assert len(names(chans["worries"].id, "")) == 10
    # Another team's room: as unknown as it is on every other route.
    r = client.get(f"/api/v1/channels/{room.id}/members",
                   headers=token_for(outsider.email))
    assert r.status_code == 404
    assert client.get(f"/api/v1/channels/{room.id}/members").status_code == 401


def test_a_mention_that_matches_nobody_says_so(post, client, token_for, chans, teammate,
                                               team_room_of, other_team_member):
    mate = get_user_by_email(teammate())
    room = team_room_of("p01@example.jp")
    ok = post("p01@example.jp", room.id, f"@{mate.name.replace(' ', '')} さん、確認お願いします")
    assert ok.status_code == 201
    assert "mention_warning" not in ok.get_json()
    assert [m["id"] for m in ok.get_json()["mentions"]] == [mate.id]

    r = post("p01@example.jp", room.id, "＠山田太郎 さんと @p99 さん、mail: taro@example.jp")
    assert r.status_code == 201
    warning = r.get_json()["mention_warning"]
    assert "「@山田太郎」「@p99」" in warning and "誰にも通知されていません" in warning
    assert "example" not in warning  # a mail address is not a mention
    assert r.get_json()["mentions"] == []

    # Someone of another team cannot be mentioned in a team room: said so, too.
    outsider = get_user_by_email(other_team_member())
    r = post("p01@example.jp", room.id, f"@{outsider.name.replace(' ', '')} さん")
    assert outsider.name.replace(" ", "") in r.get_json()["mention_warning"]

    # Others reading the channel do not get the writer's warning.
    listed = client.get(f"/api/v1/channels/{room.id}/messages",
                        headers=token_for(mate.email)).get_json()
    assert all("mention_warning" not in m for m in listed)

    # An edit that names nobody is told too.
    mid = ok.get_json()["id"]
    r = client.patch(f"/api/v1/messages/{mid}", json={"body": "@だれでもない 確認を"},
                     headers=token_for("p01@example.jp"))
    assert r.status_code == 200 and "@だれでもない" in r.get_json()["mention_warning"]


def test_replies_fold_under_their_parent_with_a_count(login_as, post, chans):
    root = post("p01@example.jp", chans["worries"].id, "親の投稿").get_json()
    for i in range(3):
        post("p03@example.jp", chans["worries"].id, f"返信その{i}", parent_id=root["id"])
    post("p01@example.jp", chans["worries"].id, "別の話題")
    client = login_as("p01@example.jp")
    page = client.get(f"/c/{SLUG}/channels/{chans['worries'].id}").get_data(as_text=True)
    fold = re.search(rf'<details class="thread-fold" data-thread-for="{root["id"]}"( open)?>'
                     r"(.*?)</details>", page, re.S)
    assert fold is not None
    assert fold.group(1) == " open"  # unread replies by others: shown open
    assert "返信 3件" in fold.group(2) and "新しい返信あり" in fold.group(2)
    assert [int(x) for x in re.findall(r'id="m-(\d+)"', fold.group(2))] == sorted(
        int(x) for x in re.findall(r'id="m-(\d+)"', fold.group(2)))
    assert all(f"返信その{i}" in fold.group(2) for i in range(3))
    # Each reply once on the page, inside the fold; the later message follows the parent.
    assert page.count("返信その0") == 1
    assert page.index("親の投稿") < page.index("返信その2") < page.index("別の話題")
    # Read now: the fold is closed on the next visit.
    page = client.get(f"/c/{SLUG}/channels/{chans['worries'].id}").get_data(as_text=True)
    assert f'<details class="thread-fold" data-thread-for="{root["id"]}">' in page
