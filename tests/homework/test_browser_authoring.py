"""In Chromium: a trainer adds homework, sees the errors, removes it after a confirm; axe."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ARTIFACTS, axe_violations, browser_login

pytestmark = pytest.mark.browser

SLUG = "tokyo-dx-2021"


def open_page(browser, server, email, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    browser_login(page, server.url, email)
    return context, page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_trainer_adds_and_removes_homework_in_the_browser(browser, live_server):
    base = live_server.url
    context, page = open_page(browser, live_server, "trainer1@example.jp", 1280, 800)
    try:
        page.goto(f"{base}/c/{SLUG}/homework")
        page.get_by_role("link", name="宿題を追加").click()
        page.wait_for_url(re.compile(r".*/homework/new$"))
        page.get_by_label("回").select_option("3")
        page.get_by_label("タイトル").fill("")
        page.get_by_label("締切日").fill("2030-05-01")
        page.get_by_role("button", name="宿題を追加する").click()
        title_error = page.locator("#title-error")
        assert "入力してください" in title_error.inner_text()
        assert page.get_by_label("タイトル").get_attribute("aria-invalid") == "true"
        shot(page, "homework-new-errors-laptop")
        assert axe_violations(page, base) == []

        page.get_by_label("タイトル").fill("住民アンケートの設問案")
        page.get_by_label("提出の単位").select_option("team")
        page.get_by_label("説明（Markdown）").fill("- 設問は**10問**まで\n- 回答時間の目安も")
        page.get_by_label("締切時刻（日本時間）").fill("17:30")
        page.get_by_label("締切後の提出").select_option("close")
        page.get_by_role("button", name="宿題を追加する").click()
        page.wait_for_url(re.compile(r".*/homework/\d+$"))
        assert page.get_by_text("宿題「住民アンケートの設問案」を第3回に追加しました").is_visible()
        assert page.get_by_role("heading", name="住民アンケートの設問案").is_visible()
        assert page.locator(".md-body strong", has_text="10問").is_visible()
        assert "2030年5月1日(水) 17:30" in page.inner_text("main")
        shot(page, "homework-added-laptop")
        assert axe_violations(page, base) == []
        homework_url = page.url

        # The confirm dialog: "cancel" keeps the homework, "OK" removes it.
        page.once("dialog", lambda dialog: dialog.dismiss())
        page.get_by_role("button", name="宿題を削除").click()
        page.wait_for_timeout(300)
        assert page.url == homework_url
        messages = []

        def accept(dialog):
            messages.append(dialog.message)
            dialog.accept()

        page.once("dialog", accept)
        page.get_by_role("button", name="宿題を削除").click()
        page.wait_for_url(f"{base}/c/{SLUG}/homework")
        assert messages and "住民アンケートの設問案" in messages[0]
        assert page.get_by_text("宿題「住民アンケートの設問案」を削除しました").is_visible()
        assert page.get_by_role("link", name="住民アンケートの設問案").count() == 0
        shot(page, "homework-list-laptop")
        assert axe_violations(page, base) == []
        assert page.js_errors == []
    finally:
        context.close()

    context, phone = open_page(browser, live_server, "trainer2@example.jp", 390, 844)
    try:
        phone.goto(f"{base}/c/{SLUG}/sessions/3")
        shot(phone, "session-staff-phone")
        assert axe_violations(phone, base) == []
        phone.get_by_role("link", name="宿題を追加").click()
        phone.wait_for_url(re.compile(r".*/homework/new\?session=3$"))
        assert phone.get_by_label("回").input_value() == "3"
        shot(phone, "homework-new-phone")
        assert axe_violations(phone, base) == []
        # Nothing wider than the screen on a phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.goto(f"{base}/c/{SLUG}/homework")
        shot(phone, "homework-list-phone")
        assert axe_violations(phone, base) == []
        assert phone.js_errors == []
    finally:
        context.close()
