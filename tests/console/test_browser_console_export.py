"""In Chromium: an organizer creates a cohort, edits it, downloads an export; the console
pages (settings, exports, audit, dashboard, case library) pass axe-core on laptop and phone."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.conftest import ARTIFACTS, axe_violations, browser_login

pytestmark = pytest.mark.browser

SLUG = "tokyo-dx-2021"


def open_page(browser, server, email, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP",
                                  accept_downloads=True)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    browser_login(page, server.url, email)
    return context, page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_organizer_creates_a_cohort_and_downloads_an_export_in_the_browser(browser,
                                                                            live_server):
    base = live_server.url
    context, page = open_page(browser, live_server, "organizer@example.jp", 1280, 800)
    try:
        page.get_by_role("link", name="新しい研修を作成").click()
        page.wait_for_url(f"{base}/cohorts/new")
        page.get_by_label("研修の名前").fill("多摩地域DX研修2027")
        page.get_by_label("スラッグ（URLに使う半角英数字）").fill("tokyo-dx-2021")
        page.get_by_label("開始日（第1回の基準日）").fill("2027-10-01")
        page.get_by_label("講師のメールアドレス（1行に1人）").fill("t-new@example.jp")
        page.get_by_role("button", name="研修を作成する").click()
        assert "すでにあります" in page.locator("#slug-error").inner_text()
        assert page.get_by_label("スラッグ（URLに使う半角英数字）").get_attribute(
            "aria-invalid") == "true"
        shot(page, "console-new-cohort-errors-laptop")
        assert axe_violations(page, base) == []

        page.get_by_label("スラッグ（URLに使う半角英数字）").fill("tama-dx-2027")
        page.get_by_role("button", name="研修を作成する").click()
        page.wait_for_url(f"{base}/c/tama-dx-2027/settings")
        assert page.get_by_text("研修「多摩地域DX研修2027」を作成しました").is_visible()
        page.get_by_label("研修の概要（Markdown）").fill("## ねらい\n多摩地域の**窓口DX**")
        page.get_by_role("button", name="概要を保存する").click()
        assert page.get_by_text("研修の概要を保存しました").is_visible()
        shot(page, "console-settings-laptop")
        assert axe_violations(page, base) == []

        page.goto(f"{base}/c/tama-dx-2027/")
        assert page.locator(".md-body strong", has_text="窓口DX").is_visible()

        page.goto(f"{base}/c/{SLUG}/exports")
        shot(page, "console-exports-laptop")
        assert axe_violations(page, base) == []
        with page.expect_download() as info:
            page.get_by_role("link", name="受講者名簿 CSV").click()
        download = info.value
        assert download.suggested_filename.endswith(".csv")
        data = open(download.path(), "rb").read()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert rows[0][:3] == ["氏名", "メールアドレス", "役割"] and len(rows) == 54
        with page.expect_download() as info:
            page.get_by_role("link", name="出欠・キャッチアップ XLSX").click()
        assert info.value.suggested_filename.endswith(".xlsx")

        page.goto(f"{base}/c/{SLUG}/audit")
        assert page.get_by_role("cell", name="エクスポート").first.is_visible()
        page.get_by_label("操作", exact=True).select_option("export.download")
        page.get_by_role("button", name="絞り込む").click()
        page.wait_for_url(re.compile(r".*action=export\.download.*"))
        assert "2件" in page.get_by_role("status").inner_text()
        shot(page, "console-audit-laptop")
        assert axe_violations(page, base) == []
        assert page.js_errors == []
    finally:
        context.close()


@pytest.mark.parametrize("width,height,label", [(1280, 800, "laptop"), (390, 844, "phone")])
def test_dashboard_and_case_library_pages_are_axe_clean(browser, live_server, width, height,
                                                        label):
    base = live_server.url
    context, page = open_page(browser, live_server, "organizer@example.jp", width, height)
    try:
        page.goto(f"{base}/c/{SLUG}/dashboard")
        assert page.get_by_role("img", name=re.compile("各回の出欠")).is_visible()
        page.get_by_text("各回の出欠の数値を表で見る").click()
        assert page.get_by_role("table", name="各回の出欠").is_visible()
        shot(page, f"console-dashboard-{label}")
        assert axe_violations(page, base) == []
        page.goto(f"{base}/cases")
        page.get_by_label("キーワード").fill("RPA")
        page.get_by_role("button", name="検索").click()
        assert "1件の事例" in page.get_by_role("status").inner_text()
        shot(page, f"console-cases-{label}")
        assert axe_violations(page, base) == []
        page.goto(f"{base}/c/{SLUG}/settings")
        shot(page, f"console-settings-{label}")
        assert axe_violations(page, base) == []
        assert page.js_errors == []
    finally:
        context.close()
