"""Dashboard and cohort overview as participants and staff see them."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.cohorts.models import CohortMunicipality, Municipality
from lms.cohorts.services import enrol, ensure_user
from lms.teams.services import form_teams


def test_participant_dashboard_shows_next_session_team_and_channels(login_as, demo):
    page = login_as("p01@example.jp").get("/").get_data(as_text=True)
    assert "東京都区市町村向け自治体変革PJ-DX研修2021" in page
    assert "第3回" in page  # sessions 1-2 are past in the demo
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日\([月火水木金土日]\) 14:00", page)
    assert "世田谷区" in page  # p01 works for 世田谷区, which is in their team
    assert "DXの悩みごと" in page and "お知らせ" in page and "チームルーム" in page


def test_cohort_overview_lists_five_sessions_and_teams(login_as, demo):
    page = login_as("p10@example.jp").get("/c/tokyo-dx-2021/").get_data(as_text=True)
    for n in range(1, 6):
        assert f"第{n}回" in page
    assert page.count("終了") >= 2
    assert "次回" in page
    for n in range(1, 6):
        assert f"チーム{n}" in page
    assert "（あなたのチーム）" in page


def test_participant_cannot_see_another_cohort(login_as, demo, make_cohort):
    make_cohort(slug="osaka-2030")
    client = login_as("p01@example.jp")
    assert client.get("/c/osaka-2030/").status_code == 404
    assert client.get("/c/osaka-2030/sessions/1").status_code == 404


def test_staff_menu_only_for_staff(login_as, client, demo):
    page = login_as("p01@example.jp").get("/c/tokyo-dx-2021/").get_data(as_text=True)
    assert "チーム編成" not in page
    client.post("/logout")
    page = login_as("organizer@example.jp").get("/c/tokyo-dx-2021/").get_data(as_text=True)
    assert "チーム編成" in page and "受講者の登録" in page


def _grow(db, extra_names):
    from lms.cohorts.models import Cohort

    cohort = db.session.scalar(select(Cohort).where(Cohort.slug == "tokyo-dx-2021"))
    codes = {m.name: m.code for m in db.session.scalars(select(Municipality))}
    for i, name in enumerate(extra_names):
        for j in range(2):
            user = ensure_user(f"extra{i}-{j}@example.jp", f"追加 {i}-{j}")
            enrol(cohort, user, "participant", codes[name])
    form_teams(cohort, 7)
    db.session.commit()


def test_page_queries_do_not_grow_with_the_cohort(login_as, db, demo, count_queries):
    cohort_id = demo.id
    client = login_as("organizer@example.jp")
    pages = ["/", "/c/tokyo-dx-2021/", "/c/tokyo-dx-2021/teams", "/c/tokyo-dx-2021/sessions/3",
             "/api/v1/cohorts/tokyo-dx-2021/channels", "/api/v1/me"]
    before = {}
    for path in pages:
        db.session.expunge_all()  # each request starts cold, as in production
        with count_queries() as q:
            assert client.get(path).status_code == 200
        before[path] = len(q)
    _grow(db, ["小平市", "日野市", "東村山市", "国分寺市", "小金井市", "狛江市",
                     "清瀬市", "羽村市", "八丈町", "三宅村"])
    assert db.session.scalar(select(CohortMunicipality.id).where(
        CohortMunicipality.cohort_id == cohort_id).order_by(CohortMunicipality.id.desc())
        .limit(1))
    for path in pages:
        db.session.expunge_all()
        with count_queries() as q:
            assert client.get(path).status_code == 200
        assert len(q) == before[path], path


def test_page_titles_are_plain_text(login_as, demo):
    import re as _re

    client = login_as("organizer@example.jp")
    for path in ["/", "/c/tokyo-dx-2021/", "/c/tokyo-dx-2021/enrolment", "/c/tokyo-dx-2021/teams",
                 "/c/tokyo-dx-2021/sessions/1", "/c/tokyo-dx-2021/homework",
                 "/c/tokyo-dx-2021/channels", "/goals"]:
        page = client.get(path).get_data(as_text=True)
        [title] = _re.findall(r"<title>(.*?)</title>", page, _re.S)
        assert "<" not in title and "\n" not in title.strip(), (path, title[:80])
        assert title.strip().endswith("自治体DX研修"), (path, title)
