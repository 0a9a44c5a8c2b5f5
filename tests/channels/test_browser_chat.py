"""The team room in Chromium (issue 13): '@' offers names as you type (keyboard on a desktop, a
tap on a phone), a name that matches nobody says so, replies fold under their parent with a
count, and a reply, a reaction and an edit appear for the other person without reloading;
axe-core clean with the suggestions and a fold open."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import axe_violations, browser_login

pytestmark = pytest.mark.browser

COMPOSER = "メッセージ（Markdownが使えます）"


def _me(server, token) -> dict:
    req = urllib.request.Request(server.url + "/api/v1/me",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def make(email, phone=False):
        options = ({"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                    "has_touch": True} if phone else {"viewport": {"width": 1280, "height": 900}})
        context = browser.new_context(locale="ja-JP", **options)
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
    page.locator("#conn-status", has_text="接続中").wait_for(timeout=5000)


def _active_option_text(page) -> str:
    active = page.get_by_label(COMPOSER).get_attribute("aria-activedescendant")
    assert active, "no option is pointed at"
    return page.locator(f"#{active}").inner_text()


def test_mention_suggestions_folded_replies_and_live_actions(page_for, live_server):
    bob_name = _me(live_server, live_server.token("p02@example.jp")[0])["name"]
    alice_name = _me(live_server, live_server.token("p01@example.jp")[0])["name"]
    alice, bob = page_for("p01@example.jp"), page_for("p02@example.jp", phone=True)
    _open_team_room(alice)
    _open_team_room(bob)

    # Alice types "@" and the first letter of Bob's name: a listbox of names she can mention.
    composer = alice.get_by_label(COMPOSER)
    composer.click()
    composer.press_sequentially("確認お願いします @" + bob_name[0])
    listbox = alice.get_by_role("listbox", name="メンションする人の候補")
    listbox.wait_for(timeout=5000)
    options = listbox.get_by_role("option")
    assert options.count() >= 1
    assert alice.locator(".mention-status").inner_text().startswith("名前の候補")
    first = _active_option_text(alice)
    if options.count() > 1:
        alice.keyboard.press("ArrowDown")
        assert _active_option_text(alice) != first
        alice.keyboard.press("ArrowUp")
        assert _active_option_text(alice) == first
    for _ in range(options.count()):
        if _active_option_text(alice) == bob_name:
            break
        alice.keyboard.press("ArrowDown")
    assert _active_option_text(alice) == bob_name
    alice.keyboard.press("Enter")  # inserts the name; does not send
    assert listbox.is_hidden()
    handle = bob_name.replace(" ", "").replace("\u3000", "")
    assert composer.input_value() == f"確認お願いします @{handle} "
    assert alice.locator("#messages li.message", has_text="確認お願いします").count() == 0

    # Escape closes the list and keeps what was typed.
    composer.press_sequentially("と @" + bob_name[0])
    listbox.wait_for(timeout=5000)
    alice.keyboard.press("Escape")
    assert listbox.is_hidden() and composer.input_value().endswith("と @" + bob_name[0])
    composer.fill(f"確認お願いします @{handle} さん")
    alice.keyboard.press("Control+Enter")
    mention = bob.locator("#messages > li.message", has_text="確認お願いします")
    mention.wait_for(timeout=5000)
    assert mention.locator(".mention-badge").inner_text() == "あなたへのメンション"

    # A name that matches nobody: said before sending, and again after.
    composer.press_sequentially("@存在しない")
    alice.locator(".mention-status", has_text="当てはまる人はこのチャンネルにいません").wait_for(
        timeout=5000)
    assert axe_violations(alice, live_server.url) == []  # with the suggestions open
    composer.press_sequentially(" さん、資料を見ました")
    alice.keyboard.press("Control+Enter")
    alice.locator("#send-warning", has_text="誰にも通知されていません").wait_for(timeout=5000)
    assert "@存在しない" in alice.locator("#send-warning").inner_text()

    # Bob, on his phone, replies under Alice's message, with a tap on a suggested name.
    mention.get_by_role("link", name="返信", exact=True).click()
    reply_box = bob.get_by_label("返信（Markdownが使えます）")
    reply_box.press_sequentially("了解です @" + alice_name[0])
    option = bob.get_by_role("option", name=alice_name, exact=True)
    option.tap()
    assert reply_box.input_value().startswith(f"了解です @{alice_name.replace(' ', '')}")
    assert reply_box.evaluate("el => document.activeElement === el")
    bob.get_by_role("button", name="返信する").click()

    # Alice sees it folded under her message, counted, without reloading the page.
    url = alice.url
    parent = alice.locator("#messages > li.message", has_text="確認お願いします")
    fold = parent.locator("details.thread-fold")
    fold.locator("summary", has_text="返信 1件").wait_for(timeout=5000)
    assert "新しい返信あり" in fold.locator("summary").inner_text()
    assert fold.locator(".reply-list li.message", has_text="了解です").is_hidden()
    fold.locator("summary").click()
    fold.locator(".reply-list li.message", has_text="了解です").wait_for(timeout=5000)
    # (cleared by the fold's toggle event, which the browser fires a moment after it opens)
    expect(fold.locator("summary")).not_to_contain_text("新しい返信あり", timeout=5000)
    # (the demo room has threads of its own: count under this message only)
    assert bob.locator("#messages > li.message", has_text="確認お願いします").locator(
        "details.thread-fold summary", has_text="返信 1件").count() == 1

    # Alice reacts and edits in place; Bob sees both, and nobody's page reloads.
    parent.locator(":scope > .message-actions").get_by_role(
        "button", name="👍 リアクション 0件").click()
    bob.locator("#messages > li.message", has_text="確認お願いします").get_by_role(
        "button", name="👍 リアクション 1件").wait_for(timeout=5000)
    parent.locator(":scope > .message-actions").get_by_role("link", name="編集").click()
    editor = alice.get_by_label("メッセージを編集")
    editor.fill("資料の**確認**をお願いします")
    alice.get_by_role("button", name="保存").click()
    edited = bob.locator("#messages > li.message", has_text="資料の確認をお願いします")
    edited.locator("strong", has_text="確認").wait_for(timeout=5000)
    assert "（編集済み）" in edited.locator(".message-meta").first.inner_text()
    # The fold stayed under the edited message on both pages.
    assert edited.locator("details.thread-fold summary", has_text="返信 1件").count() == 1
    mine = alice.locator("#messages > li.message", has_text="資料の確認をお願いします")
    assert mine.locator("details.thread-fold summary", has_text="返信 1件").count() == 1
    assert alice.url == url

    assert alice.errors == [] and bob.errors == []
    assert axe_violations(alice, live_server.url) == []  # with the fold open
    assert axe_violations(bob, live_server.url) == []
