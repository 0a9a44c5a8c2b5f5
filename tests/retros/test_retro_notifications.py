"""A retro phase opening notifies the board's team (not other teams, not the trainer who
moved it); an opened survey asks every participant to answer."""

from __future__ import annotations

from tests.notifications.helpers import notes_of

SLUG = "tokyo-dx-2021"


def test_retro_phase_opening_notifies_the_team_only(client, demo, token_for):
    me = token_for("p01@example.jp")
    [board] = client.get(f"/api/v1/cohorts/{SLUG}/retros?session=3", headers=me).get_json()
    team = {m["team_id"] for m in client.get("/api/v1/me", headers=me).get_json()["cohorts"]}
    assert board["team_id"] in team
    moved = client.post(f"/api/v1/retros/{board['id']}/phase",
                        headers=token_for("trainer1@example.jp"), json={"phase": "reveal"})
    assert moved.status_code == 200
    [note] = [n for n in notes_of("p01@example.jp", "retro_phase")
              if n.url == f"/retros/{board['id']}"]
    assert "第3回" in note.text and "公開" in note.text
    assert notes_of("trainer1@example.jp", "retro_phase") == []
    others = [e for e in (f"p{n:02d}@example.jp" for n in range(1, 51))
              if not any(n.url == f"/retros/{board['id']}" for n in notes_of(e, "retro_phase"))]
    assert len(others) == 40  # the other four teams' 40 people heard nothing of this board


def test_survey_opening_asks_every_participant(client, demo, token_for):
    trainer = token_for("trainer1@example.jp")
    listed = client.get(f"/api/v1/cohorts/{SLUG}/surveys", headers=trainer).get_json()
    closed = next(s for s in listed if not s["open"])
    assert client.post(f"/api/v1/surveys/{closed['id']}/open",
                       headers=trainer).status_code == 200
    for email in ("p01@example.jp", "p50@example.jp"):
        [note] = [n for n in notes_of(email, "survey_open")
                  if n.url == f"/surveys/{closed['id']}"]
        assert closed["title"] in note.text
    assert notes_of("trainer1@example.jp", "survey_open") == []
