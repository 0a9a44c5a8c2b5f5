"""In Chromium: draft autosave survives a reload, submit with a file, trainer feedback, axe."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from tests.conftest import axe_violations
from tests.homework.helpers import PDF

pytestmark = pytest.mark.browser


def homework_id(server, title: str) -> int:
    [token] = server.token("p01@example.jp")
    request = urllib.request.Request(server.url + "/api/v1/cohorts/tokyo-dx-2021/homework",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return next(h["id"] for h in json.load(response) if h["title"] == title)


def test_draft_submit_feedback_round_trip(new_page, live_server):
    hw = homework_id(live_server, "「DX導入事例」に事例を投稿する")
    url = f"{live_server.url}/c/tokyo-dx-2021/homework/{hw}"
    page = new_page("p01@example.jp")
    page.goto(url)
    body = page.get_by_label("本文（Markdown）")
    body.fill("")
    body.press_sequentially("# 事例\n窓口予約を**オンライン化**した区の例", delay=5)
    status = page.locator("#draft-status")
    status.filter(has_text="下書きを保存しました").wait_for(timeout=10_000)

    page.reload()  # the draft is on the server, not in the browser
    restored = page.get_by_label("本文（Markdown）").input_value()
    assert "窓口予約を**オンライン化**した区の例" in restored
    page.get_by_label("添付ファイル").set_input_files(
        [{"name": "事例の資料.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="提出する").click()
    page.wait_for_url(re.compile(r".*#history$"))
    assert page.get_by_text("第1版を提出しました").is_visible()
    history = page.locator("#history")
    assert history.get_by_role("link", name="事例の資料.pdf").is_visible()
    assert history.locator("strong", has_text="オンライン化").is_visible()
    assert axe_violations(page, live_server.url) == []
    assert page.js_errors == []

    trainer = new_page("trainer1@example.jp")
    trainer.goto(f"{live_server.url}/c/tokyo-dx-2021/homework/{hw}/submissions")
    trainer.get_by_role("link", name=re.compile("第1版")).click()
    trainer.get_by_label("要修正").check()
    trainer.get_by_label("コメント（Markdown）").fill("効果の**数字**を加えてください")
    trainer.get_by_role("button", name="講評を保存する").click()
    assert trainer.get_by_text("講評を保存しました").is_visible()
    assert axe_violations(trainer, live_server.url) == []

    page.goto(url)
    feedback = page.locator(".feedback-card")
    assert feedback.get_by_text("講師より：要修正").is_visible()
    assert feedback.locator("strong", has_text="数字").is_visible()
    page.goto(live_server.url + "/")
    assert page.get_by_text("講師より：要修正").first.is_visible()


def test_colleague_conflict_is_shown_and_newer_text_offered(new_page, live_server):
    hw = homework_id(live_server, "To-Beを原課と確認する")  # one per municipality
    url = f"{live_server.url}/c/tokyo-dx-2021/homework/{hw}"
    first, second = new_page("p01@example.jp"), new_page("p02@example.jp")
    first.goto(url)
    second.goto(url)  # both start from revision 0
    first.get_by_label("本文（Markdown）").press_sequentially("p01の文章", delay=5)
    first.locator("#draft-status").filter(has_text="下書きを保存しました").wait_for()
    second.get_by_label("本文（Markdown）").press_sequentially("p02の文章", delay=5)
    alert = second.locator("#draft-conflict")
    alert.wait_for(state="visible", timeout=10_000)
    assert "他の人が先にこの下書きを更新しました" in alert.inner_text()
    second.get_by_role("button", name="最新の下書きを読み込む").click()
    assert second.get_by_label("本文（Markdown）").input_value() == "p01の文章"
    assert second.locator("#draft-mine").input_value() == "p02の文章"
    assert axe_violations(second, live_server.url) == []
