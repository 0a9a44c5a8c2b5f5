"""The goal checker in Chromium: the logic-model ladder, 「判定が違う」, the trainer's word, axe."""

from __future__ import annotations

import os

import pytest

from tests.conftest import axe_violations, browser_login

pytestmark = pytest.mark.browser

GOAL = "RPAを入れて、月末の集計が半日で終わるようにする"
SHOTS = os.environ.get("GOALS_SCREENSHOTS")  # a folder to keep screenshots in, when set


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def make(email, width=1280, height=800):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="ja-JP")
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        browser_login(page, live_server.url, email)
        return page

    yield make
    for context in contexts:
        context.close()


def _check(page, base_url, text):
    from playwright.sync_api import expect

    page.goto(f"{base_url}/goals")
    box = page.get_by_label("チームの目標（複数行なら1行ずつ判定します）")
    current = page.locator(".logic-ladder li.is-current")
    current.wait_for(timeout=5000)  # the verdict for the example the page starts with
    example = current.inner_text()
    box.fill(text)
    # The checker answers after a short pause in typing: wait for the verdict on `text`,
    # not the example's, which is already on the page.
    expect(current).not_to_have_text(example, timeout=5000)


def test_trainer_corrects_a_verdict_and_the_team_sees_the_trainers_word(page_for, live_server):
    trainer = page_for("trainer1@example.jp")
    _check(trainer, live_server.url, GOAL)
    current = trainer.locator(".logic-ladder li.is-current")
    assert "アウトカム" in current.inner_text()
    assert "半日で終わ" in current.inner_text()
    assert "RPA" in trainer.locator(".logic-ladder li").first.inner_text()
    assert not axe_violations(trainer, live_server.url)
    if SHOTS:
        trainer.screenshot(path=f"{SHOTS}/goals-1280.png", full_page=True)

    trainer.get_by_role("button", name="判定が違う").click()
    trainer.get_by_label("どちらとも言えない（境界）").check()
    trainer.get_by_label("理由（チームに講師の言葉として表示されます）").fill(
        "集計時間の現状値と目標値を書けば成果の目標になります。")
    trainer.get_by_role("button", name="訂正を保存").click()
    trainer.locator(".trainer-word", has_text="どちらとも言えない").wait_for(timeout=5000)
    assert not axe_violations(trainer, live_server.url)

    team = page_for("p01@example.jp", 390, 844)
    _check(team, live_server.url, GOAL)
    word = team.locator(".trainer-word")
    word.wait_for(timeout=5000)
    assert "集計時間の現状値と目標値" in word.inner_text()
    assert team.get_by_role("button", name="判定が違う").is_hidden()
    if SHOTS:
        team.screenshot(path=f"{SHOTS}/goals-390.png", full_page=True)
    assert not trainer.errors and not team.errors
