"""Channel pages through the test client: posting without JS, unread divider, permissions,
trainers' quiet view and prompt, search page, and query counts that do not grow."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.channels.models import Message

SLUG = "tokyo-dx-2021"


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Message))


def _page(slug_channel):
    return f"/c/{SLUG}/channels/{slug_channel}"


def test_post_without_javascript_and_resubmission_is_safe(login_as, db, chans):
    client = login_as("p01@example.jp")
    url = _page(chans["worries"].id)
    page = client.get(url).get_data(as_text=True)
    assert '<label class="form-label" for="body">' in page and 'id="live-announcer"' in page
    assert 'aria-live="polite"' in page and "<script>" not in page and " onclick=" not in page
    cmid = re.search(r'name="client_msg_id" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post(url, data={"body": "フォームから投稿", "client_msg_id": cmid})
    assert r.status_code == 302 and r.headers["Location"].endswith("#m-1")
    again = client.post(url, data={"body": "フォームから投稿", "client_msg_id": cmid})
    assert again.status_code == 302 and _count(db) == 1
    shown = client.get(url).get_data(as_text=True)
    assert "フォームから投稿" in shown


def test_form_errors_are_shown_in_japanese_and_nothing_stored(login_as, db, chans):
    client = login_as("p01@example.jp")
    url = _page(chans["worries"].id)
    for body, words in (("   ", "メッセージが空です"), ("あ" * 10_001, "10,000文字以内")):
        r = client.post(url, data={"body": body})
        assert r.status_code == 422
        html = r.get_data(as_text=True)
        assert words in html and 'aria-invalid="true"' in html
    assert _count(db) == 0


def test_unread_divider_and_channel_list_counts(login_as, post, chans, client):
    post("p03@example.jp", chans["worries"].id, "既読になる前の投稿")
    client = login_as("p01@example.jp")
    listing = client.get(f"/c/{SLUG}/channels").get_data(as_text=True)
    assert "未読 1件" in listing
    dashboard = client.get("/").get_data(as_text=True)
    assert "未読 1件" in dashboard and f"/c/{SLUG}/channels/{chans['worries'].id}" in dashboard
    page = client.get(_page(chans["worries"].id)).get_data(as_text=True)
    assert page.index("ここから未読") < page.index("既読になる前の投稿")
    again = client.get(_page(chans["worries"].id)).get_data(as_text=True)
    assert "ここから未読" not in again
    assert "未読 1件" not in client.get(f"/c/{SLUG}/channels").get_data(as_text=True)


def test_other_teams_room_is_404_and_announcements_readonly(login_as, chans, team_room_of,
                                                            other_team_member, db):
    room = team_room_of("p01@example.jp")
    client = login_as(other_team_member())
    assert client.get(_page(room.id)).status_code == 404
    assert client.post(_page(room.id), data={"body": "x"}).status_code == 404
    assert client.get(_page(999999)).status_code == 404
    news = client.get(_page(chans["news"].id)).get_data(as_text=True)
    assert "読むだけのチャンネルです" in news and "最初の投稿をどうぞ" not in news
    assert 'id="message-form"' not in news
    assert client.post(_page(chans["news"].id), data={"body": "x"}).status_code == 403
    assert client.get(f"/c/{SLUG}/team-rooms").status_code == 403
    assert _count(db) == 0


def test_edit_delete_hide_and_react_without_javascript(login_as, post, chans, client, db):
    mid = post("p01@example.jp", chans["worries"].id, "元の文").get_json()["id"]
    me = login_as("p01@example.jp")
    assert me.post(f"/c/{SLUG}/messages/{mid}/edit", data={"body": "直した文"}).status_code == 302
    page = me.get(_page(chans["worries"].id)).get_data(as_text=True)
    assert "直した文" in page and "（編集済み）" in page
    me.post(f"/c/{SLUG}/messages/{mid}/react", data={"emoji": "👍"})
    assert 'aria-pressed="true"' in me.get(_page(chans["worries"].id)).get_data(as_text=True)
    me.post(f"/c/{SLUG}/messages/{mid}/delete")
    assert "このメッセージは削除されました" in me.get(_page(chans["worries"].id)).get_data(
        as_text=True)
    other = post("p03@example.jp", chans["worries"].id, "不適切な投稿").get_json()["id"]
    assert me.post(f"/c/{SLUG}/messages/{other}/edit", data={"body": "x"}).status_code == 403
    assert me.post(f"/c/{SLUG}/messages/{other}/hide").status_code == 403
    me.post("/logout")
    trainer = login_as("trainer1@example.jp")
    assert trainer.post(f"/c/{SLUG}/messages/{other}/hide").status_code == 302
    me.post("/logout")
    reader = login_as("p05@example.jp").get(_page(chans["worries"].id)).get_data(as_text=True)
    assert "不適切な投稿" not in reader and "講師・主催者により非表示" in reader


def test_thread_page_and_reply_form(login_as, post, chans):
    root = post("p03@example.jp", chans["worries"].id, "スレッドの質問").get_json()["id"]
    client = login_as("p01@example.jp")
    url = f"/c/{SLUG}/channels/{chans['worries'].id}/threads/{root}"
    page = client.get(url).get_data(as_text=True)
    assert "スレッドの質問" in page and f'name="parent_id" type="hidden" value="{root}"' in page
    r = client.post(_page(chans["worries"].id), data={"body": "返信です", "parent_id": root})
    assert r.status_code == 302 and f"/threads/{root}" in r.headers["Location"]
    assert "返信です" in client.get(url).get_data(as_text=True)


def test_trainer_sees_quiet_rooms_and_prompts_all_rooms_once(login_as, post, chans, db,
                                                             team_room_of):
    post("p01@example.jp", team_room_of("p01@example.jp").id, "活動中です")
    trainer = login_as("trainer1@example.jp")
    page = trainer.get(f"/c/{SLUG}/team-rooms").get_data(as_text=True)
    # One municipality talking alone is flagged too (issue 13: quiet-team rules).
    assert page.count("⚠ 静か") == 4 and page.count("⚠ 1自治体だけ") == 1
    assert page.index("⚠ 静か") < page.index("⚠ 1自治体だけ")  # quiet first
    pid = re.search(r'name="prompt_id" type="hidden" value="([^"]+)"', page).group(1)
    r = trainer.post(f"/c/{SLUG}/team-rooms", data={"body": "次回までに利用率を調べましょう",
                                                    "prompt_id": pid})
    assert r.status_code == 302
    trainer.post(f"/c/{SLUG}/team-rooms", data={"body": "次回までに利用率を調べましょう",
                                                "prompt_id": pid})
    prompts = db.session.scalars(select(Message).where(
        Message.body == "次回までに利用率を調べましょう")).all()
    assert len(prompts) == 5 and len({m.channel_id for m in prompts}) == 5
    assert trainer.post(f"/c/{SLUG}/team-rooms", data={"body": " "}).status_code == 422


def test_search_page(login_as, post, chans):
    post("p03@example.jp", chans["cases"].id, "電子申請の利用率を上げた事例")
    client = login_as("p01@example.jp")
    page = client.get(f"/c/{SLUG}/search?q=申請").get_data(as_text=True)
    assert "1件" in page and "電子<mark>申請</mark>の利用率を上げた事例" in page
    assert client.get(f"/c/{SLUG}/search?q=" + "あ" * 101).status_code == 422


def test_page_and_api_queries_do_not_grow_with_history(login_as, post, chans, count_queries,
                                                       token_for, client):
    headers = token_for("p01@example.jp")
    login_as("p01@example.jp")

    def measure():
        post("p04@example.jp", chans["worries"].id, "新着")  # so each visit moves the marker
        with count_queries() as page_q:
            assert client.get(_page(chans["worries"].id)).status_code == 200
        with count_queries() as api_q:
            client.get(f"/api/v1/channels/{chans['worries'].id}/messages", headers=headers)
        return len(page_q), len(api_q)

    for i in range(3):
        m = post("p03@example.jp", chans["worries"].id, f"@p01 少し {i}").get_json()
        post("p05@example.jp", chans["worries"].id, "返信", parent_id=m["id"])
        client.post(f"/api/v1/messages/{m['id']}/reactions", json={"emoji": "👍"},
                    headers=headers)
    measure()  # the first visit creates the read marker
    small = measure()
    for i in range(40):
        m = post(f"p{(i % 40) + 6:02d}@example.jp", chans["worries"].id,
                 f"@p01 たくさん {i}").get_json()
        client.post(f"/api/v1/messages/{m['id']}/reactions", json={"emoji": "🎉"},
                    headers=headers)
    big = measure()
    assert big == small, (big, small)
