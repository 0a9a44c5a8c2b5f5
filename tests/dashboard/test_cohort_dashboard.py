"""The cohort dashboard: figures as SVG plus tables, for staff only, bounded queries."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.channels.models import Channel
from lms.channels.services import post_message
from lms.cohorts.models import Membership
from lms.cohorts.services import ensure_user
from lms.dashboard.cohort_stats import cohort_dashboard
from lms.extensions import db
from tests.exports.helpers import sized_cohort


def test_dashboard_shows_each_figure_with_svg_and_table(login_as, demo):
    author = ensure_user("p01@example.jp", "")
    room = db.session.scalar(select(Channel).where(Channel.cohort_id == demo.id,
                                                   Channel.kind == "team"))
    post_message(author, room, "最初の投稿です")
    db.session.commit()
    page = login_as("organizer@example.jp").get("/c/tokyo-dx-2021/dashboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "全5回中 2回終了" in html
    for title in ("招待の受け入れ（パスワード設定済み）", "各回の出欠", "宿題の提出率（チーム別）",
                  "宿題の提出率（自治体別）", "宿題の提出（週ごと）",
                  "チャンネル・チームルームの投稿数（週ごと）",
                  "アンケートの満足度（5点満点の平均）", "提案書の状況（チーム数）"):
        assert "<figcaption" in html and title in html
        assert f"{title}の数値を表で見る" in html
    assert html.count('<svg class="chart') == 8
    assert "style=" not in html and "<script>" not in html
    # Numbers as text: every demo participant has set a password.
    assert re.search(r"<th scope=\"row\">受講者</th><td class=\"text-end\">50人</td>", html)
    assert "チーム1のチームルーム" in html


def test_dashboard_figures_for_the_demo(demo):
    stats = cohort_dashboard(demo)
    charts = {c.key: c for c in stats["charts"]}
    assert stats["progress"].done == 2 and stats["progress"].next_number == 3
    assert dict(charts["invitations"].rows)["受講者"] == [50.0, 0.0]
    attendance = dict(charts["attendance"].rows)
    assert sum(attendance["第1回"]) == 50 and attendance["第5回"] == [0, 0, 0, 50]
    teams = dict(charts["completion-team"].rows)
    assert len(teams) == 5 and all(0 <= v[0] <= 100 for v in teams.values())
    assert len(charts["completion-municipality"].rows) == 25
    assert sum(v[0] for _, v in charts["submissions-weekly"].rows) > 0
    assert len(charts["activity"].rows) == 3 + 5  # 3 cohort channels, 5 team rooms


def test_dashboard_refused_to_participants_and_outsiders(client, login_as, demo, make_cohort):
    assert login_as("trainer1@example.jp").get("/c/tokyo-dx-2021/dashboard").status_code == 200
    client.post("/logout")
    assert login_as("p01@example.jp").get("/c/tokyo-dx-2021/dashboard").status_code == 403
    client.post("/logout")
    make_cohort(slug="elsewhere", organizer_email="org2@example.jp")
    from lms.auth.services import hash_password
    from tests.conftest import PASSWORD

    ensure_user("org2@example.jp", "").password_hash = hash_password(PASSWORD)
    db.session.commit()
    assert login_as("org2@example.jp").get("/c/tokyo-dx-2021/dashboard").status_code == 404


def test_dashboard_query_count_is_the_same_for_5_and_50_teams(client, make_cohort, login_as,
                                                              count_queries):
    from lms.auth.services import hash_password
    from tests.conftest import PASSWORD

    counts = {}
    for teams in (5, 50):
        cohort = sized_cohort(make_cohort, teams, f"dash-{teams}")
        organizer = db.session.scalar(select(Membership).where(
            Membership.cohort_id == cohort.id, Membership.role == "organizer")).user
        organizer.password_hash = hash_password(PASSWORD)
        db.session.commit()
        login_as(organizer.email)
        with count_queries() as statements:
            page = client.get(f"/c/{cohort.slug}/dashboard")
        assert page.status_code == 200
        assert page.get_data(as_text=True).count("のチームルーム") >= teams
        counts[teams] = len(statements)
        # Follow to the login page, as a browser does: it shows (and uses up) the logout
        # notice, which would otherwise be a session write inside the next count.
        client.post("/logout", follow_redirects=True)
    assert counts[5] == counts[50]


def test_dashboard_shows_survey_ratings_and_proposal_states_of_the_demo(demo, db):
    from sqlalchemy import func, select

    from lms.proposals.models import Proposal
    from lms.surveys.models import Survey, SurveyResponse

    charts = {c.key: c for c in cohort_dashboard(demo)["charts"]}
    ratings = dict(charts["survey-ratings"].rows)
    first = db.session.scalar(select(Survey).where(Survey.cohort_id == demo.id)
                              .order_by(Survey.position, Survey.id))
    answered = db.session.scalar(select(func.count(SurveyResponse.id)).where(
        SurveyResponse.survey_id == first.id))
    [(label, [mean])] = [(k, v) for k, v in ratings.items() if k.startswith(first.title)]
    assert f"（{answered}件）" in label or answered == 0
    assert 1 <= mean <= 5
    states = dict(charts["proposal-states"].rows)
    teams = db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.cohort_id == demo.id))
    assert sum(v[0] for v in states.values()) == teams == 5
    assert states["下書き"] == [1]
