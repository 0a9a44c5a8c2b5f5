"""The organizer's team formation page: balance, move by hand, refusals."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.channels.models import Channel
from lms.cohorts.models import CohortMunicipality
from lms.teams.models import Team


def _team_sizes(db, cohort_id):
    rows = db.session.execute(
        select(CohortMunicipality.team_id, func.count()).where(
            CohortMunicipality.cohort_id == cohort_id).group_by(CohortMunicipality.team_id))
    return {team: n for team, n in rows}


def test_demo_teams_mix_big_and_small(db, demo):
    teams = db.session.scalars(select(Team).where(Team.cohort_id == demo.id)).all()
    assert len(teams) == 5
    for team in teams:
        pops = [cm.municipality.population for cm in team.members]
        assert len(pops) == 5
        assert max(pops) >= 200_000 and min(pops) < 60_000, (team.name, pops)


def test_organizer_sees_spread_and_reforms_teams(login_as, db, demo):
    client = login_as("organizer@example.jp")
    page = client.get("/c/tokyo-dx-2021/teams").get_data(as_text=True)
    assert "人口：最大" in page and "世田谷区" in page and "中央値" in page
    response = client.post("/c/tokyo-dx-2021/teams/form", data={"count": "4"})
    assert response.status_code == 302
    sizes = sorted(_team_sizes(db, demo.id).values())
    assert sizes == [6, 6, 6, 7]
    rooms = db.session.scalars(select(Channel).where(Channel.cohort_id == demo.id,
                                                     Channel.kind == "team")).all()
    assert len(rooms) == 5  # the old fifth room stays; its history is not thrown away


def test_impossible_team_count_is_explained(login_as, db, demo):
    client = login_as("organizer@example.jp")
    before = _team_sizes(db, demo.id)
    response = client.post("/c/tokyo-dx-2021/teams/form", data={"count": "26"},
                           follow_redirects=True)
    assert "チーム数は1から25の間で指定してください" in response.get_data(as_text=True)
    assert _team_sizes(db, demo.id) == before


def test_organizer_moves_a_municipality(login_as, db, demo):
    client = login_as("organizer@example.jp")
    cm = db.session.scalar(select(CohortMunicipality).where(
        CohortMunicipality.cohort_id == demo.id, CohortMunicipality.municipality_code == "131121"))
    other = db.session.scalar(select(Team).where(Team.cohort_id == demo.id,
                                                 Team.id != cm.team_id).limit(1))
    response = client.post("/c/tokyo-dx-2021/teams/move",
                           data={"municipality": "131121", "team": str(other.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CohortMunicipality, cm.id).team_id == other.id


def test_move_to_a_team_of_another_cohort_is_404(login_as, db, demo, make_cohort):
    other_cohort = make_cohort(slug="osaka-2030")
    foreign = Team(cohort_id=other_cohort.id, number=1, name="他のチーム")
    db.session.add(foreign)
    db.session.commit()
    response = login_as("organizer@example.jp").post(
        "/c/tokyo-dx-2021/teams/move", data={"municipality": "131121", "team": str(foreign.id)})
    assert response.status_code == 404


def test_participant_cannot_open_or_change_teams(login_as, db, demo):
    client = login_as("p01@example.jp")
    before = _team_sizes(db, demo.id)
    assert client.get("/c/tokyo-dx-2021/teams").status_code == 403
    assert client.post("/c/tokyo-dx-2021/teams/form", data={"count": "2"}).status_code == 403
    assert client.post("/c/tokyo-dx-2021/teams/move",
                       data={"municipality": "131121", "team": ""}).status_code == 403
    assert _team_sizes(db, demo.id) == before


def test_trainer_may_look_but_not_reform(login_as, db, demo):
    client = login_as("trainer1@example.jp")
    page = client.get("/c/tokyo-dx-2021/teams")
    assert page.status_code == 200
    assert "自動で編成する" not in page.get_data(as_text=True)
    assert client.post("/c/tokyo-dx-2021/teams/form", data={"count": "2"}).status_code == 403
