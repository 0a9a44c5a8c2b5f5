"""In Chromium: the header bell counts up live on desktop, the list and settings pages pass
axe-core, and on a 390×844 phone the team room's composer is visible without scrolling."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from tests.conftest import ARTIFACTS, axe_violations, browser_login

pytestmark = pytest.mark.browser


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def make(email, width=1280, height=800):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="ja-JP")
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


def _api(server, token, method, path, body=None):
    req = urllib.request.Request(
        f"{server.url}/api/v1{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def test_notif_bell_counts_up_live_on_desktop(page_for, live_server):
    p01_token, p03_token = live_server.token("p01@example.jp", "p03@example.jp")
    _api(live_server, p01_token, "POST", "/notifications/read", {"all": True})
    page = page_for("p01@example.jp")
    bell = page.locator("#notif-bell")
    assert bell.is_visible() and page.locator("#notif-count").is_hidden()
    page.wait_for_timeout(800)  # the socket connects
    channels = _api(live_server, p03_token, "GET", "/cohorts/tokyo-dx-2021/channels")
    worries = next(c for c in channels if c["name"] == "DXの悩みごと")
    _api(live_server, p03_token, "POST", f"/channels/{worries['id']}/messages",
         {"body": "@p01 窓口の件、教えてください", "client_msg_id": str(uuid.uuid4())})
    page.locator("#notif-count", has_text="未読1件").wait_for(timeout=5000)
    _shot(page, "notif-bell-desktop.png")
    bell.click()
    page.wait_for_url(live_server.url + "/notifications")
    assert "あなたをメンションしました" in page.locator("main").inner_text()
    assert axe_violations(page, live_server.url) == []
    _shot(page, "notif-list-desktop.png")
    page.get_by_role("link", name="通知の設定").click()
    assert page.get_by_label("メール（チャンネルでのメンション（@名前））").count() == 1
    assert page.locator("#mention-mail").is_visible()
    assert axe_violations(page, live_server.url) == []
    page.goto(live_server.url + "/")
    assert page.locator(".todo-card").is_visible()
    assert axe_violations(page, live_server.url) == []
    _shot(page, "todo-desktop.png")
    assert page.errors == []


def test_team_room_composer_visible_on_a_phone(page_for, live_server):
    [token] = live_server.token("p01@example.jp")
    channels = _api(live_server, token, "GET", "/cohorts/tokyo-dx-2021/channels")
    room = next(c for c in channels if c["kind"] == "team")
    for n in range(20):  # a long conversation: the composer must not end up below it
        _api(live_server, token, "POST", f"/channels/{room['id']}/messages",
             {"body": f"進捗メモ{n}：日程を調整中", "client_msg_id": str(uuid.uuid4())})
    page = page_for("p01@example.jp", 390, 844)
    assert page.locator("#notif-bell").is_visible()  # the bell stays out of the menu
    _shot(page, "todo-phone.png")
    page.goto(live_server.url + "/c/tokyo-dx-2021/channels")
    page.get_by_role("link", name="のチームルーム").first.click()
    page.locator("#conn-status", has_text="接続中").wait_for(timeout=5000)
    composer = page.get_by_label("メッセージ（Markdownが使えます）")
    box = composer.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, box
    send = page.get_by_role("button", name="送信").bounding_box()
    assert send["y"] + send["height"] <= 844
    # Messages come before the channel list on a phone.
    messages = page.locator("#messages").bounding_box()
    sidebar = page.get_by_role("heading", name="チャンネル", exact=True).bounding_box()
    assert messages["y"] < sidebar["y"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    _shot(page, "team-room-phone.png")
    assert axe_violations(page, live_server.url) == []


def test_enrolment_fits_a_phone_and_links_have_a_copy_button(page_for, live_server):
    page = page_for("organizer@example.jp", 390, 844)
    page.goto(live_server.url + "/c/tokyo-dx-2021/enrolment")
    assert page.get_by_role("button", name="アップロードして登録").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "enrolment-phone.png")
    assert axe_violations(page, live_server.url) == []
    page.get_by_role("button", name="リンクを発行").first.click()
    page.get_by_role("button", name="コピー").click()
    page.locator('[data-copy-status="link"]', has_text="コピー").wait_for(timeout=3000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page, live_server.url) == []
