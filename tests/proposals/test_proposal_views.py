"""Proposal pages: editor, merge view on a stale save, confirmation of a means-as-goal,
review invisible before release, history with marked diff, print page, comparison."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from lms.db import utcnow
from lms.proposals.models import Proposal
from lms.sessions.models import WorkshopSession


def proposal_id(db, team_id: int) -> int:
    return db.session.scalar(select(Proposal.id).where(Proposal.team_id == team_id))


def open_list(client) -> str:
    response = client.get("/c/tokyo-dx-2021/proposals")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_proposal_page_editor_for_members(client, db, demo, people, login_as):
    login_as(people.member)
    html = open_list(client)
    pid = proposal_id(db, people.team_id)
    assert f"/c/tokyo-dx-2021/proposals/{pid}" in html and "（あなたのチーム）" in html
    page = client.get(f"/c/tokyo-dx-2021/proposals/{pid}").get_data(as_text=True)
    assert '<label class="form-label" for="section-background">' in page
    assert 'data-goal-checker="section-vision_goal"' in page
    assert "この章に書くこと" in page and "講師に提出する" in page
    assert "講評はまだ公開されていません" in page
    assert "採点と判定（講師）" not in page


def test_proposal_page_form_save_and_stale_merge_view(client, db, demo, people, login_as):
    login_as(people.member)
    open_list(client)
    pid = proposal_id(db, people.team_id)
    url = f"/c/tokyo-dx-2021/proposals/{pid}/save"
    ok = client.post(url, data={"revision": "0", "section-background": "窓口で40分待つ。"})
    assert ok.status_code == 302
    assert db.session.get(Proposal, pid).sections["background"] == "窓口で40分待つ。"
    # A second window still on revision 0: refused, mine kept in the box, theirs beside it.
    stale = client.post(url, data={"revision": "0", "section-background": "記入が難しい。"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "保存されていません" in html
    assert re.search(r'id="section-background"[^>]*>記入が難しい。</textarea>', html)
    assert re.search(r'id="theirs-background"[^>]*>窓口で40分待つ。</textarea>', html)
    assert re.search(r'id="proposal-revision"[^>]*value="1"', html)  # the current revision
    db.session.expire_all()
    assert db.session.get(Proposal, pid).sections["background"] == "窓口で40分待つ。"


def test_proposal_page_submit_means_goal_asks_confirmation(client, db, demo, people, login_as):
    login_as(people.member)
    open_list(client)
    pid = proposal_id(db, people.team_id)
    client.post(f"/c/tokyo-dx-2021/proposals/{pid}/save",
                data={"revision": "0", "section-vision_goal": "電子申請を導入する。"})
    asked = client.post(f"/c/tokyo-dx-2021/proposals/{pid}/submit")
    assert asked.status_code == 200
    assert "目標が手段（方法）になっています" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status == "draft"
    done = client.post(f"/c/tokyo-dx-2021/proposals/{pid}/submit", data={"confirm_means": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    proposal = db.session.get(Proposal, pid)
    assert proposal.status == "submitted" and proposal.means_goal


def test_proposal_page_review_invisible_until_released(client, db, demo, people, login_as):
    login_as(people.member)
    open_list(client)
    pid = proposal_id(db, people.team_id)
    client.post(f"/c/tokyo-dx-2021/proposals/{pid}/save",
                data={"revision": "0", "section-background": "窓口で40分待つ。"})
    client.post(f"/c/tokyo-dx-2021/proposals/{pid}/submit")
    client.post("/logout")
    login_as(people.trainer)
    trainer_page = client.get(f"/c/tokyo-dx-2021/proposals/{pid}").get_data(as_text=True)
    assert "採点と判定（講師）" in trainer_page and "課題の明確さ" in trainer_page
    assert "5点：" in trainer_page  # level descriptions beside each score
    client.post(f"/c/tokyo-dx-2021/proposals/{pid}/comments",
                data={"section": "background", "body": "待ち時間の**出典**は？"})
    client.post(f"/c/tokyo-dx-2021/proposals/{pid}/review", data={
        "score-problem": "4", "decision": "changes_requested"})
    client.post("/logout")
    login_as(people.member)
    before = client.get(f"/c/tokyo-dx-2021/proposals/{pid}").get_data(as_text=True)
    assert "出典" not in before and "要修正" not in before and "4 / 5" not in before
    client.post("/logout")
    login_as(people.trainer)
    client.post(f"/c/tokyo-dx-2021/proposals/{pid}/review", data={
        "score-problem": "4", "decision": "changes_requested", "release": "1"})
    client.post("/logout")
    login_as(people.member)
    after = client.get(f"/c/tokyo-dx-2021/proposals/{pid}").get_data(as_text=True)
    assert "<strong>出典</strong>" in after and "判定：<strong>要修正</strong>" in after
    assert "4 / 5" in after
    # The comment sits in the background section's column.
    section = after.split('id="sec-background"')[1].split('id="sec-business"')[0]
    assert "<strong>出典</strong>" in section


def test_proposal_page_participants_cannot_review(client, db, demo, people, login_as):
    login_as(people.member)
    open_list(client)
    pid = proposal_id(db, people.team_id)
    assert client.post(f"/c/tokyo-dx-2021/proposals/{pid}/review",
                       data={"decision": "approved", "release": "1"}).status_code == 403
    assert client.post(f"/c/tokyo-dx-2021/proposals/{pid}/comments",
                       data={"section": "team", "body": "x"}).status_code == 403
    assert client.post("/c/tokyo-dx-2021/proposals/publish").status_code == 403


def test_proposal_page_other_team_404_until_published(client, db, demo, people, login_as):
    login_as(people.outsider)
    open_list(client)
    pid = proposal_id(db, people.team_id)
    for suffix in ("", "/history", "/print"):
        assert client.get(f"/c/tokyo-dx-2021/proposals/{pid}{suffix}").status_code == 404
    db.session.execute(update(WorkshopSession).values(
        starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    client.post("/logout")
    login_as(people.organizer)
    assert client.post("/c/tokyo-dx-2021/proposals/publish").status_code == 302
    client.post("/logout")
    login_as(people.outsider)
    html = open_list(client)
    assert "公開中" in html and html.count("の提案書</a>") == 5
    page = client.get(f"/c/tokyo-dx-2021/proposals/{pid}").get_data(as_text=True)
    assert "講師に提出する" not in page and "（未記入）" in page


def test_proposal_history_page_marks_changes_in_words(client, db, demo, people, login_as):
    login_as(people.member)
    open_list(client)
    pid = proposal_id(db, people.team_id)
    url = f"/c/tokyo-dx-2021/proposals/{pid}/save"
    client.post(url, data={"revision": "0", "section-risks": "予算\n異動"})
    client.post(url, data={"revision": "1", "section-risks": "予算\n人員不足"})
    html = client.get(f"/c/tokyo-dx-2021/proposals/{pid}/history").get_data(as_text=True)
    assert "第1版 → 第2版の差分" in html
    assert re.search(r"＋ 追加</span><span class=\"diff-text\"><ins>人員不足</ins>", html)
    assert re.search(r"− 削除</span><span class=\"diff-text\"><del>異動</del>", html)
    assert "リスクと対応" in html
    chosen = client.get(f"/c/tokyo-dx-2021/proposals/{pid}/history?from=0&to=2")
    assert "＋ 追加</span><span class=\"diff-text\"><ins>予算</ins>" in chosen.get_data(
        as_text=True)
    bad = client.get(f"/c/tokyo-dx-2021/proposals/{pid}/history?from=0&to=7")
    assert bad.status_code == 200 and "第7版はありません" in bad.get_data(as_text=True)


def test_proposal_print_page_has_team_and_municipalities(client, db, demo, people, login_as):
    login_as(people.member)
    open_list(client)
    pid = proposal_id(db, people.team_id)
    client.post(f"/c/tokyo-dx-2021/proposals/{pid}/save",
                data={"revision": "0", "section-team": "# 窓口に来なくてよい子育て手続き"})
    html = client.get(f"/c/tokyo-dx-2021/proposals/{pid}/print").get_data(as_text=True)
    running = re.search(r'<p class="print-running">(.*?)</p>', html).group(1)
    assert "チーム" in running and "世田谷区" in running
    assert "proposal-print.css" in html and "<h3>窓口に来なくてよい子育て手続き</h3>" in html
    assert html.count('class="print-section"') == 13


def test_proposal_comparison_page_for_trainers(client, db, demo, people, login_as):
    login_as(people.trainer)
    html = open_list(client)
    assert "提案書の比較（全チーム）" in html
    assert html.count('<th scope="row">') == 5
    assert "目標の判定" in html and "課題の明確さ" in html and "未着手" in html
    assert "全チームの提案書を公開する" not in html  # organizers only
