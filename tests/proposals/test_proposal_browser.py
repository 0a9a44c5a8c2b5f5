"""In Chromium: two members edit the same section, one merges side by side, submits with a
means-as-goal after confirming, the trainer comments and releases the review, and the member
reads it beside the text; presence and the teammate-saved notice; axe-core on every page."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from tests.conftest import ARTIFACTS, axe_violations

pytestmark = pytest.mark.browser


def team_proposal_id(server, email: str) -> int:
    [token] = server.token(email)
    request = urllib.request.Request(server.url + "/api/v1/cohorts/tokyo-dx-2021/proposals",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        [mine] = json.load(response)
    return mine["id"]


def test_proposal_two_members_merge_submit_review_release(new_page, live_server):
    pid = team_proposal_id(live_server, "p01@example.jp")
    url = f"{live_server.url}/c/tokyo-dx-2021/proposals/{pid}"
    alice, bob = new_page("p01@example.jp"), new_page("p02@example.jp")
    alice.goto(url)
    bob.goto(url)
    presence = alice.locator("#proposal-presence")
    presence.filter(has_text="開いている人：").wait_for(timeout=10_000)

    # Both change 背景と現状の課題 from the same revision; Alice's autosave wins.
    label = "「背景と現状の課題」の本文（Markdown）"
    alice.get_by_label(label).fill("窓口の待ち時間は最大90分（令和4年度の実測）。")
    alice.locator("#proposal-status").filter(has_text="保存しました").wait_for(timeout=10_000)
    notice = bob.locator("#proposal-saved-notice")
    notice.filter(has_text="提案書を保存しました").wait_for(timeout=10_000)
    bob.get_by_label(label).fill("申請書が12枚あり、記入漏れの差し戻しが約3割。")

    # Bob's save is refused; both texts are shown side by side in that section.
    conflict = bob.locator("#proposal-conflict")
    conflict.wait_for(state="visible", timeout=10_000)
    theirs = bob.get_by_label(re.compile("チームメイトの版"))
    assert theirs.input_value() == "窓口の待ち時間は最大90分（令和4年度の実測）。"
    assert bob.get_by_label(label).input_value() == "申請書が12枚あり、記入漏れの差し戻しが約3割。"
    assert axe_violations(bob, live_server.url) == []
    assert notice.is_hidden()  # the refused save already brought the teammate's version
    bob.locator("#sec-background").scroll_into_view_if_needed()
    bob.screenshot(path=str(ARTIFACTS / "proposal-merge.png"))
    bob.get_by_label(label).fill("窓口の待ち時間は最大90分（令和4年度の実測）。\n"
                                 "申請書が12枚あり、記入漏れの差し戻しが約3割。")
    bob.get_by_role("button", name="まとめて保存する").click()
    bob.locator("#proposal-status").filter(has_text="保存しました").wait_for(timeout=10_000)
    assert conflict.is_hidden()

    # Bob submits; the goal is still a means, so the page asks first, then it goes through.
    bob.get_by_role("button", name="講師に提出する").click()
    bob.get_by_role("heading", name="目標が手段（方法）になっています").wait_for()
    bob.get_by_role("button", name="このまま提出する").click()
    bob.get_by_text("提案書を提出しました").wait_for()
    assert "提出済" in bob.locator("main").inner_text()

    # The trainer sees the merged text, comments on the section and releases the review.
    trainer = new_page("trainer1@example.jp")
    trainer.goto(url)
    section = trainer.locator("#sec-background")
    assert "記入漏れの差し戻しが約3割" in section.inner_text()
    assert "目標が手段のまま提出" in trainer.locator("main").inner_text()
    section.get_by_label("「背景と現状の課題」にコメントする（Markdown）").fill(
        "数字が具体的で**良い**です。出典も書きましょう。")
    section.get_by_role("button", name="コメントを書き込む").click()
    trainer.get_by_text("コメントを書き込みました").wait_for()
    assert axe_violations(trainer, live_server.url) == []
    review = trainer.locator("#review")
    review.get_by_label("4点：業務の数字(件数・時間・人員)と現場の声で課題が示されている。").check()
    review.get_by_label("1点：目標が方法(「電子申請を導入する」など)になっている。").check()
    review.get_by_label("要修正").check()
    review.get_by_label(re.compile("チームに公開する")).check()
    review.get_by_role("button", name="採点と判定を保存する").click()
    trainer.get_by_text("講評をチームに公開しました").wait_for()

    # Alice reads the review, and the comment beside the section it concerns.
    alice.goto(url)
    summary = alice.locator(".review-summary")
    assert "判定：要修正" in summary.inner_text()
    assert "4 / 5" in summary.inner_text()
    comments = alice.locator("#sec-background .section-comments")
    assert comments.locator("strong", has_text="良い").is_visible()
    assert axe_violations(alice, live_server.url) == []
    alice.screenshot(path=str(ARTIFACTS / "proposal-review-released.png"), full_page=True)

    alice.get_by_role("link", name="版の履歴と差分").click()
    assert alice.get_by_text("＋ 追加").first.is_visible()
    assert axe_violations(alice, live_server.url) == []
    for page in (alice, bob, trainer):
        assert page.js_errors == []


def test_proposal_pages_pass_axe_on_a_phone(new_page, live_server):
    pid = team_proposal_id(live_server, "p03@example.jp")
    page = new_page("p03@example.jp", 390, 844)
    for path in (f"/c/tokyo-dx-2021/proposals/{pid}", "/c/tokyo-dx-2021/proposals",
                 f"/c/tokyo-dx-2021/proposals/{pid}/print",
                 f"/c/tokyo-dx-2021/proposals/{pid}/history"):
        page.goto(live_server.url + path)
        assert axe_violations(page, live_server.url) == [], path
    page.goto(f"{live_server.url}/c/tokyo-dx-2021/proposals/{pid}")
    page.get_by_role("button", name="プレビューを表示").first.click()
    page.locator(".preview-box h3").first.wait_for(timeout=10_000)  # "# 題名" as <h3>
    trainer = new_page("trainer2@example.jp")
    trainer.goto(live_server.url + "/c/tokyo-dx-2021/proposals")
    assert trainer.get_by_role("heading", name="提案書の比較（全チーム）").is_visible()
    assert axe_violations(trainer, live_server.url) == []
    assert page.js_errors == [] and trainer.js_errors == []
