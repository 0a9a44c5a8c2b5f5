"""`lms demo` gives the team rooms a history: threads, mentions, reactions, one team where a
single municipality talks, and one quiet team, so the trainer's view has something to show."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.channels.demo import seed_demo_chat
from lms.channels.models import Channel, Message
from lms.channels.services import team_room_activity
from lms.db import utcnow
from tests.conftest import login


def test_demo_chat_rooms_have_history_and_one_quiet_team(app, db):
    result = app.test_cli_runner().invoke(args=["lms", "demo"])
    assert result.exit_code == 0, result.output
    from lms.cohorts.models import Cohort

    cohort = db.session.scalar(select(Cohort).where(Cohort.slug == "tokyo-dx-2021"))
    activity = {a.channel.team.number: a for a in team_room_activity(cohort.id, utcnow())}
    assert activity[5].recent == 0  # only the trainer's prompt: quiet
    assert all(activity[n].recent >= 4 for n in (1, 2, 3, 4))
    assert activity[3].one_voice and not activity[1].one_voice
    assert activity[1].silent == [] and len(activity[3].silent) == 4
    messages = list(db.session.scalars(select(Message).join(Channel).where(
        Channel.cohort_id == cohort.id)))
    assert any(m.parent_id for m in messages)  # threads
    assert any(m.mentions for m in messages)  # an @mention that resolved to a person
    assert any(m.reactions for m in messages)
    # Seeding again adds nothing.
    before = len(messages)
    seed_demo_chat(cohort)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Message).join(Channel).where(
        Channel.cohort_id == cohort.id)) == before


def test_demo_chat_shows_in_the_room_and_on_the_trainers_page(demo, db, client):
    seed_demo_chat(demo)
    db.session.commit()
    from lms.teams.models import Team

    room = db.session.scalar(select(Channel).join(Team, Team.id == Channel.team_id)
                             .where(Team.number == 1))
    login(client, "trainer1@example.jp")
    page = client.get(f"/c/tokyo-dx-2021/channels/{room.id}").get_data(as_text=True)
    assert "As-Is業務フロー" in page
    rooms = client.get("/c/tokyo-dx-2021/team-rooms").get_data(as_text=True)
    assert rooms.count("⚠ 静か") == 1 and rooms.count("⚠ 1自治体だけ") == 1
    assert rooms.count("✓ 活動中") == 3
