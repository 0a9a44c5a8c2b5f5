"""Team rooms in Chromium: live chat between teammates, catch-up after a dropped connection,
and axe-core on the page."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from tests.conftest import axe_violations, browser_login

pytestmark = pytest.mark.browser


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def make(email):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        browser_login(page, live_server.url, email)
        return page

    yield make
    for context in contexts:
        context.close()


def _open_team_room(page):
    page.get_by_role("link", name="チャンネル", exact=True).first.click()
    page.get_by_role("link", name="のチームルーム").first.click()
    # (wait_for_function would evaluate a string, which our CSP rightly forbids)
    page.locator("#conn-status", has_text="接続中").wait_for(timeout=5000)


def test_teammates_see_each_others_messages_live(page_for, live_server):
    alice, bob = page_for("p01@example.jp"), page_for("p02@example.jp")
    _open_team_room(alice)
    _open_team_room(bob)
    assert alice.url == bob.url
    # Presence names both people once both have joined.
    alice.locator("#presence", has_text="2人").wait_for(timeout=5000)

    alice.get_by_label("メッセージ（Markdownが使えます）").fill("**こんにちは**、宿題の分担を決めましょう")
    alice.get_by_role("button", name="送信").click()
    bob.locator("#messages .message-body strong", has_text="こんにちは").wait_for(timeout=5000)
    assert "宿題の分担を決めましょう" in bob.locator("#live-announcer").inner_text()

    bob.get_by_label("メッセージ（Markdownが使えます）").fill("賛成です @佐藤陽子 さん")
    bob.keyboard.press("Control+Enter")
    alice.locator("#messages li.message", has_text="賛成です").wait_for(timeout=5000)
    # Each message once on each page, although it came by ack, broadcast and catch-up.
    for page in (alice, bob):
        assert page.locator("#messages li.message", has_text="賛成です").count() == 1
        assert page.locator("#messages li.message", has_text="宿題の分担").count() == 1
    # Empty input is refused in words, without a round trip.
    alice.get_by_role("button", name="送信").click()
    assert "メッセージが空です" in alice.locator("#send-error").inner_text()

    assert alice.errors == [] and bob.errors == []
    assert axe_violations(alice, live_server.url) == []


def _post(server, token, channel_id, body):
    req = urllib.request.Request(
        f"{server.url}/api/v1/channels/{channel_id}/messages", method="POST",
        data=json.dumps({"body": body, "client_msg_id": str(uuid.uuid4())}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)["id"]


def _ids_on(page) -> list[int]:
    return page.locator("#messages li.message").evaluate_all(
        "items => items.map(li => Number(li.dataset.id))")


def test_messages_missed_while_offline_appear_once_and_in_order(page_for, live_server):
    teammate = live_server.token("p02@example.jp")[0]
    page = page_for("p01@example.jp")
    _open_team_room(page)
    room = int(page.locator("#channel").get_attribute("data-channel-id"))

    # The network goes away (the browser's offline event closes the WebSocket, and
    # reconnection attempts fail) while a teammate posts three messages.
    page.context.set_offline(True)
    page.locator("#conn-status", has_text="接続が切れています").wait_for(timeout=5000)
    held: list = []  # catch-up requests after the reconnect, answered when we say so
    hold = [True]

    def catch_up(route):
        if hold[0]:
            held.append(route)
        else:
            route.continue_()

    page.route(lambda url: "/messages?" in url and "after_id=" in url, catch_up)
    missed = [_post(live_server, teammate, room, f"オフライン中の投稿{i}") for i in (1, 2, 3)]
    page.wait_for_timeout(300)
    assert page.locator("#messages li.message", has_text="オフライン中の投稿").count() == 0

    page.context.set_offline(False)
    page.locator("#conn-status", has_text="接続中").wait_for(timeout=15000)
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page did not ask for what it missed"
    # Live messages overtake the catch-up, whose answer then repeats them.
    live = [_post(live_server, teammate, room, f"再接続後の投稿{i}") for i in (1, 2)]
    page.locator(f"#m-{live[-1]}").wait_for(timeout=5000)
    assert page.locator("#messages li.message", has_text="オフライン中の投稿").count() == 0
    hold[0] = False
    for route in held:
        route.continue_()
    for message_id in missed + live:
        page.locator(f"#m-{message_id}").wait_for(timeout=5000)
    page.wait_for_timeout(500)  # let any late duplicate arrive before counting

    ids = _ids_on(page)
    assert len(ids) == len(set(ids)) and ids == sorted(ids)
    assert [i for i in ids if i in missed + live] == missed + live
    for body in ["オフライン中の投稿1", "オフライン中の投稿2", "オフライン中の投稿3",
                 "再接続後の投稿1", "再接続後の投稿2"]:
        assert page.locator("#messages li.message", has_text=body).count() == 1
    # Reconnection attempts while offline log a failed WebSocket; nothing else may fail.
    assert [e for e in page.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
    assert axe_violations(page, live_server.url) == []


def test_a_long_absence_is_caught_up_page_by_page_past_live_messages(page_for, live_server):
    # More than one catch-up page (100) is missed; a live message arrives during the first
    # page, and the next page must go on from that page's end, not from the live message.
    # (Senders stay under the 30 posts per minute per person; p01's own posts come from
    # "another device".)
    senders = live_server.token("trainer1@example.jp", "trainer2@example.jp",
                                "organizer@example.jp", "p01@example.jp", "p02@example.jp")
    page = page_for("p01@example.jp")
    _open_team_room(page)
    room = int(page.locator("#channel").get_attribute("data-channel-id"))
    page.context.set_offline(True)
    page.locator("#conn-status", has_text="接続が切れています").wait_for(timeout=5000)
    held: list = []
    hold = [True]

    def catch_up(route):
        if hold[0]:
            held.append(route)
        else:
            route.continue_()

    page.route(lambda url: "/messages?" in url and "after_id=" in url, catch_up)
    missed = [_post(live_server, senders[i % 4], room, f"長い不在{i}") for i in range(101)]
    page.context.set_offline(False)
    page.locator("#conn-status", has_text="接続中").wait_for(timeout=15000)
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page did not ask for what it missed"
    live = _post(live_server, senders[4], room, "戻りました")
    page.locator(f"#m-{live}").wait_for(timeout=5000)
    hold[0] = False
    for route in held:
        route.continue_()
    page.locator(f"#m-{missed[-1]}").wait_for(timeout=10000)
    page.wait_for_timeout(500)
    ids = _ids_on(page)
    assert [i for i in ids if i in [*missed, live]] == [*missed, live]
    assert len(ids) == len(set(ids))
