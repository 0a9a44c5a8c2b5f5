"""Two participants chat live in their team room in Chromium; the page passes axe-core."""

from __future__ import annotations

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
