"""The busiest pages, and the pages of the second half of the course (retros, proposals, the
organizer's figures), cost the same SQL with 5 teams as with 50 (issue 15)."""

import uuid

from sqlalchemy import func, select

from lms.cohorts.models import CohortMunicipality, Municipality
from lms.cohorts.services import enrol, enrol_municipalities, ensure_user
from lms.teams.models import Team
from lms.teams.services import form_teams

SLUG = "tokyo-dx-2021"


def _team_room(client) -> int:
    channels = client.get(f"/api/v1/cohorts/{SLUG}/channels").get_json()
    return next(c["id"] for c in channels if c["kind"] == "team")


def _measure(login_as, db, count_queries, token_for) -> dict[str, int]:
    counts = {}
    client = login_as("p01@example.jp")
    room_id = _team_room(client)
    room = f"/c/{SLUG}/channels/{room_id}"
    # The room holds a message either way, so the page runs the same reads.
    assert client.post(f"/api/v1/channels/{room_id}/messages", headers=token_for(
        "p01@example.jp"), json={"body": "進捗です", "client_msg_id": str(uuid.uuid4())}
    ).status_code == 201
    client.get(room)  # moves the read marker (a commit): the next visit is the steady state
    for path in ("/", f"/c/{SLUG}/", room, f"/c/{SLUG}/proposals"):
        db.session.expunge_all()  # each request starts cold, as in production
        with count_queries() as q:
            assert client.get(path).status_code == 200, path
        counts[f"participant {path}"] = len(q)
    client.post("/logout")
    client = login_as("trainer1@example.jp")
    for path in ("/", f"/c/{SLUG}/homework/matrix", f"/c/{SLUG}/homework/matrix?by=team",
                 f"/c/{SLUG}/dashboard", f"/c/{SLUG}/team-rooms", f"/c/{SLUG}/proposals",
                 f"/c/{SLUG}/sessions/1/retros"):
        db.session.expunge_all()
        with count_queries() as q:
            assert client.get(path).status_code == 200, path
        counts[f"trainer {path}"] = len(q)
    client.post("/logout")
    return counts


def test_page_queries_same_for_5_and_50_teams(login_as, db, demo, count_queries, token_for):
    assert db.session.scalar(select(func.count(Team.id)).where(Team.cohort_id == demo.id)) == 5
    small = _measure(login_as, db, count_queries, token_for)

    have = set(db.session.scalars(select(CohortMunicipality.municipality_code).where(
        CohortMunicipality.cohort_id == demo.id)))
    extra = [c for c in db.session.scalars(select(Municipality.code).order_by(Municipality.code))
             if c not in have][: 50 - len(have)]
    enrol_municipalities(demo, extra)
    for i, code in enumerate(extra):
        enrol(demo, ensure_user(f"team50-{i}@example.jp", f"追加 {i}"), "participant", code)
    assert len(form_teams(demo, 50)) == 50
    db.session.commit()

    large = _measure(login_as, db, count_queries, token_for)
    assert large == small
