"""Quiet teams (issue 13): only participants' posts count, per municipality, and prompts to
one or chosen team rooms."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.channels.models import Message
from lms.channels.services import team_room_activity
from lms.db import utcnow
from tests.conftest import csrf_from
from tests.homework.helpers import teammate_and_outsider

SLUG = "tokyo-dx-2021"


def test_quiet_teams_ignore_staff_posts(post, chans, demo, team_room_of):
    room = team_room_of("p01@example.jp")
    assert post("trainer1@example.jp", room.id, "みなさん進捗はいかがですか").status_code == 201
    assert post("organizer@example.jp", room.id, "資料を共有しました").status_code == 201
    activity = {a.channel.id: a for a in team_room_activity(demo.id, utcnow())}
    assert activity[room.id].quiet and activity[room.id].recent == 0
    assert activity[room.id].last_message_at is None


def test_quiet_teams_show_who_has_spoken_per_municipality(post, chans, demo, team_room_of,
                                                          login_as):
    room = team_room_of("p01@example.jp")
    post("p01@example.jp", room.id, "世田谷区です")
    post("p02@example.jp", room.id, "同じく世田谷区です")
    activity = {a.channel.id: a for a in team_room_activity(demo.id, utcnow())}
    mine = activity[room.id]
    assert not mine.quiet and mine.recent == 2 and mine.one_voice
    assert [v.name for v in mine.voices if v.spoken] == ["世田谷区"]
    assert len(mine.silent) == 4
    mate, _ = teammate_and_outsider(demo, "p01@example.jp")
    post(mate, room.id, "うちも話します")
    mine = {a.channel.id: a for a in team_room_activity(demo.id, utcnow())}[room.id]
    assert not mine.one_voice and len(mine.silent) == 3
    page = login_as("trainer1@example.jp").get(f"/c/{SLUG}/team-rooms").get_data(as_text=True)
    assert "✓ 世田谷区 2件" in page and "発言なし" in page and "✓ 活動中" in page


def test_prompt_chosen_team_rooms_only(login_as, chans, db):
    trainer = login_as("trainer1@example.jp")
    page = trainer.get(f"/c/{SLUG}/team-rooms").get_data(as_text=True)
    pid = re.search(r'name="prompt_id" type="hidden" value="([^"]+)"', page).group(1)
    chosen = [chans["team2"].id, chans["team4"].id]
    response = trainer.post(f"/c/{SLUG}/team-rooms", data={
        "csrf_token": csrf_from(page), "body": "進んでいますか", "prompt_id": pid,
        "target": "chosen", "room": [str(c) for c in chosen]}, follow_redirects=True)
    assert "2つのチームルームに投稿しました" in response.get_data(as_text=True)
    sent = db.session.scalars(select(Message.channel_id).where(
        Message.body == "進んでいますか")).all()
    assert sorted(sent) == sorted(chosen)
    # "Chosen" with nothing ticked says so instead of posting everywhere.
    page = trainer.get(f"/c/{SLUG}/team-rooms").get_data(as_text=True)
    response = trainer.post(f"/c/{SLUG}/team-rooms", data={
        "csrf_token": csrf_from(page), "body": "全体へ？", "target": "chosen"})
    assert response.status_code == 422
    assert "1つ以上選んで" in response.get_data(as_text=True)
    response = trainer.post(f"/c/{SLUG}/team-rooms", data={
        "csrf_token": csrf_from(page), "body": "全員へ", "target": "all"},
        follow_redirects=True)
    assert "5つのチームルームに投稿しました" in response.get_data(as_text=True)
