"""Survey pages: answering, the dashboard reminder, results with SVG charts and a table,
and opening or closing from the list."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login

SLUG = "tokyo-dx-2021"


@pytest.fixture
def ids(db, demo):
    from sqlalchemy import select

    from lms.surveys.models import Survey

    return {s.key: s.id for s in db.session.scalars(select(Survey).where(
        Survey.cohort_id == demo.id))}


def test_survey_reminder_on_dashboard_until_answered(client, ids):
    login(client, "p01@example.jp")
    dashboard = client.get("/").get_data(as_text=True)
    assert "アンケートへの回答をお願いします" in dashboard
    assert f"/surveys/{ids['s2']}" in dashboard
    page = client.get(f"/surveys/{ids['s2']}")
    assert page.status_code == 200 and "無記名のアンケートです" in page.get_data(as_text=True)
    bad = client.post(f"/surveys/{ids['s2']}", data={"satisfaction": "", "good": "よかった"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "に回答してください" in html and "よかった" in html
    ok = client.post(f"/surveys/{ids['s2']}", data={"satisfaction": "5", "good": "よかった"},
                     follow_redirects=True)
    assert "回答を保存しました" in ok.get_data(as_text=True)
    assert "アンケートへの回答をお願いします" not in client.get("/").get_data(as_text=True)
    listing = client.get(f"/c/{SLUG}/surveys").get_data(as_text=True)
    assert "回答済み" in listing


def test_survey_no_reminder_for_staff_and_answer_page_is_for_participants(client, ids):
    login(client, "trainer1@example.jp")
    assert "アンケートへの回答をお願いします" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/surveys/{ids['s2']}").status_code == 403


def test_survey_results_page_draws_svg_with_a_table(client, ids):
    login(client, "p01@example.jp")
    assert client.get(f"/surveys/{ids['s1']}/results").status_code == 403
    client.post("/logout")
    login(client, "trainer1@example.jp")
    page = client.get(f"/surveys/{ids['s1']}/results")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and 'role="img"' in html and "<rect" in html
    counts = [int(n) for n in re.findall(r'<th scope="row">[1-5]</th><td>(\d+)</td>', html)]
    assert len(counts) == 5 and sum(counts) == 42
    assert "回答数：<strong>42件</strong>" in html
    assert "グループワークの時間が十分あった" in html
    assert "p01@example.jp" not in html


def test_survey_staff_open_and_close_from_the_list(client, ids):
    login(client, "trainer1@example.jp")
    listing = client.get(f"/c/{SLUG}/surveys").get_data(as_text=True)
    assert "回ごとの満足度" in listing and "<svg" in listing
    opened = client.post(f"/surveys/{ids['s3']}/state", data={"state": "open"},
                         follow_redirects=True)
    assert "回答受付を始めました" in opened.get_data(as_text=True)
    closed = client.post(f"/surveys/{ids['s3']}/state", data={"state": "close"},
                         follow_redirects=True)
    assert "締め切りました" in closed.get_data(as_text=True)
    client.post("/logout")
    login(client, "p01@example.jp")
    assert client.post(f"/surveys/{ids['s3']}/state", data={"state": "open"}).status_code == 403
