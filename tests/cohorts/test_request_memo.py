"""Membership and team lookups are asked once per request, and never outlive a write."""

from sqlalchemy import select

from lms.auth.services import get_user_by_email
from lms.cohorts.access import membership_for, team_id_for
from lms.cohorts.models import CohortMunicipality, Membership


def test_lookups_are_remembered_within_a_request(app, db, demo, count_queries):
    user, cohort_id = get_user_by_email("p01@example.jp"), demo.id
    with app.test_request_context("/"):
        with count_queries() as first:
            m = membership_for(user, cohort_id)
            team_id_for(m)
        with count_queries() as again:
            assert membership_for(user, demo) is m
            team_id_for(m)
        assert len(first) == 2 and len(again) == 0


def test_a_write_in_the_request_forgets_them(app, db, demo):
    user = get_user_by_email("p01@example.jp")
    with app.test_request_context("/"):
        m = membership_for(user, demo)
        team = team_id_for(m)
        cm = db.session.scalar(select(CohortMunicipality).where(
            CohortMunicipality.cohort_id == demo.id,
            CohortMunicipality.municipality_code == m.municipality_code))
        other = next(t for t in demo_team_ids(db, demo.id) if t != team)
        cm.team_id = other
        db.session.flush()
        assert team_id_for(m) == other
        db.session.delete(m)
        db.session.flush()
        assert membership_for(user, demo) is None


def test_nothing_is_remembered_across_requests(app, db, demo, login_as):
    client = login_as("p01@example.jp")
    assert client.get("/c/tokyo-dx-2021/").status_code == 200
    db.session.delete(db.session.scalar(select(Membership).where(
        Membership.cohort_id == demo.id, Membership.user_id == get_user_by_email(
            "p01@example.jp").id)))
    db.session.commit()
    assert client.get("/c/tokyo-dx-2021/").status_code == 404


def demo_team_ids(db, cohort_id):
    from lms.teams.models import Team

    return list(db.session.scalars(select(Team.id).where(Team.cohort_id == cohort_id)))
