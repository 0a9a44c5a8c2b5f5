"""A participant logs in in Chromium and sees the cohort, its sessions and their team."""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS, axe_violations, browser_login

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def make(viewport=LAPTOP, email="p01@example.jp"):
        context = browser.new_context(viewport=viewport, locale="ja-JP")
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.errors = errors
        browser_login(page, live_server.url, email)
        return page

    yield make
    for context in contexts:
        context.close()


def test_participant_sees_sessions_and_team_in_japanese(page_for, live_server):
    page = page_for()
    title = "東京都区市町村向け自治体変革PJ-DX研修2021"
    assert page.get_by_role("heading", name=title).is_visible()
    assert page.get_by_text("次回の研修").is_visible()
    page.get_by_role("link", name="東京都区市町村向け自治体変革PJ-DX研修2021").click()
    page.wait_for_url("**/c/tokyo-dx-2021/")
    timeline = page.locator("ol.timeline > li")
    assert timeline.count() == 5
    for n in range(1, 6):
        assert page.get_by_role("link", name=f"第{n}回").first.is_visible() or \
            timeline.nth(n - 1).inner_text().startswith(f"第{n}回")
    mine = page.locator(".team-card.border-primary")
    assert mine.count() == 1
    assert "世田谷区" in mine.inner_text()
    assert mine.locator("li").count() == 5
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cohort-laptop.png"), full_page=True)
    # Japanese glyphs must come from a real CJK font, not tofu boxes.
    has_font = page.evaluate("document.fonts.check('16px \"Noto Sans CJK JP\"', '研修')")
    assert has_font
    width_ja = page.evaluate("""() => { const c = document.createElement('canvas').getContext('2d');
        c.font = '16px sans-serif'; return c.measureText('研修').width; }""")
    assert width_ja > 20  # two full-width glyphs, not empty or zero-width
    # Layout holds: nothing wider than the laptop screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    assert axe_violations(page, live_server.url) == []
    assert page.errors == []


def test_pages_pass_axe_and_fit_a_phone(page_for, live_server):
    page = page_for(viewport=PHONE)
    for path, name in [("/", "dashboard"), ("/c/tokyo-dx-2021/", "cohort"),
                       ("/c/tokyo-dx-2021/sessions/3", "session"), ("/goals", "goals")]:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
        assert axe_violations(page, live_server.url) == [], path
    assert page.errors == []


def test_goal_checker_checks_as_you_type(page_for, live_server):
    page = page_for()
    page.goto(live_server.url + "/goals")
    box = page.get_by_label("チームの目標（複数行なら1行ずつ判定します）")
    box.fill("電子申請を導入する")
    result = page.locator(".goal-checker-result")
    result.get_by_text("手段（方法）になっています").first.wait_for(timeout=5000)
    box.fill("2026年度までに転入手続の平均待ち時間を60分から20分に短縮する")
    result.get_by_text("成果（アウトカム）の目標です").first.wait_for(timeout=5000)
    page.screenshot(path=str(ARTIFACTS / "goals-laptop.png"), full_page=True)
    assert axe_violations(page, live_server.url) == []
    assert page.errors == []


def test_trainer_pages_pass_axe(page_for, live_server):
    page = page_for(email="organizer@example.jp")
    for path, name in [("/c/tokyo-dx-2021/teams", "teams"),
                       ("/c/tokyo-dx-2021/enrolment", "enrolment"),
                       ("/c/tokyo-dx-2021/sessions/3/edit", "session-edit")]:
        page.goto(live_server.url + path)
        page.screenshot(path=str(ARTIFACTS / f"{name}-laptop.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"], path
        assert axe_violations(page, live_server.url) == [], path


def test_goal_setting_homework_shows_the_verdict_while_typing(page_for, live_server):
    page = page_for(email="p05@example.jp")
    page.goto(live_server.url + "/c/tokyo-dx-2021/homework")
    page.get_by_role("link", name="チーム憲章と目標の第一案").first.click()
    # The team submitted already (demo): resubmitting is folded under 提出済み (issue 13).
    fold = page.locator("details.resubmit > summary")
    if fold.count():
        fold.click()
    box = page.get_by_label("本文（Markdown）")
    box.fill("RPAを導入する")
    panel = page.locator(".goal-checker-result")
    panel.get_by_text("手段（方法）になっています").first.wait_for(timeout=5000)
    page.screenshot(path=str(ARTIFACTS / "homework-goal-laptop.png"), full_page=True)
    assert axe_violations(page, live_server.url) == []
    assert page.errors == []
