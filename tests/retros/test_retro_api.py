"""Retro boards over the JSON API: phases, permissions, hidden-until-reveal, votes, actions,
carry-forward and bad input."""

from __future__ import annotations

import uuid

SLUG = "tokyo-dx-2021"


def test_retro_every_team_has_a_board_for_every_session_from_the_start(api, people):
    staff = api(people["trainer"], "get", f"/cohorts/{SLUG}/retros?session=4").get_json()
    assert len(staff) == 5
    assert {b["phase"] for b in staff} == {"write"}
    assert {b["format"] for b in staff} == {"KPT"}
    mine = api(people["me"], "get", f"/cohorts/{SLUG}/retros?session=4").get_json()
    assert [b["team_id"] for b in mine] == [people["team_id"]]
    every = api(people["me"], "get", f"/cohorts/{SLUG}/retros").get_json()
    assert [b["session_number"] for b in every] == [1, 2, 3, 4, 5]
    assert api(people["me"], "get", f"/cohorts/{SLUG}/retros?session=x").status_code == 400


def test_retro_board_of_a_new_cohort_is_created_once_teams_exist(
        db, make_cohort, make_user, token_for, client):
    from lms.cohorts.services import enrol
    from lms.teams.services import form_teams

    cohort = make_cohort(slug="fresh")
    org = db.session.get(type(make_user()), cohort.memberships[0].user_id)
    for i, code in enumerate(("131121", "131202", "132012")):
        enrol(cohort, make_user(f"fresh{i}@example.jp"), "participant", code)
    form_teams(cohort, 1)
    db.session.commit()
    boards = client.get("/api/v1/cohorts/fresh/retros?session=1",
                        headers=token_for(org.email)).get_json()
    assert len(boards) == 1 and boards[0]["phase"] == "write"
    board = client.get(f"/api/v1/retros/{boards[0]['id']}",
                       headers=token_for("fresh0@example.jp")).get_json()
    assert [c["key"] for c in board["columns"]] == ["keep", "problem", "try"]
    assert board["votes_per_person"] == 3


def test_retro_cards_are_hidden_from_everyone_until_reveal(api, card, people, board_of):
    board = board_of(people["team_id"], 4)
    assert card(people["me"], board.id, "自分だけのカード").status_code == 201
    assert card(people["mate"], board.id, "同僚の秘密のカード", "problem").status_code == 201

    mine = api(people["me"], "get", f"/retros/{board.id}").get_json()
    assert [c["body"] for c in mine["cards"]] == ["自分だけのカード"]
    assert mine["hidden_count"] == 1
    for who in ("trainer", "organizer"):
        staff = api(people[who], "get", f"/retros/{board.id}")
        assert staff.status_code == 200
        assert staff.get_json()["cards"] == [] and staff.get_json()["hidden_count"] == 2
        assert "秘密" not in staff.get_data(as_text=True)

    assert api(people["trainer"], "post", f"/retros/{board.id}/phase",
               json={"phase": "reveal"}).status_code == 200
    for who in ("me", "mate", "trainer"):
        seen = api(people[who], "get", f"/retros/{board.id}").get_json()
        assert sorted(c["body"] for c in seen["cards"]) == ["同僚の秘密のカード",
                                                            "自分だけのカード"]
        assert seen["hidden_count"] == 0


def test_retro_board_of_another_team_is_not_found(api, card, people, board_of):
    board = board_of(people["team_id"], 4)
    assert api(people["outsider"], "get", f"/retros/{board.id}").status_code == 404
    assert card(people["outsider"], board.id).status_code == 404
    assert api(people["outsider"], "post", f"/retros/{board.id}/votes",
               json={"card_id": 1}).status_code == 404
    assert api(people["me"], "get", "/retros/999999").status_code == 404


def test_retro_phases_are_moved_by_staff_only_and_in_order(api, people, board_of):
    board = board_of(people["team_id"], 4)
    refused = api(people["me"], "post", f"/retros/{board.id}/phase", json={"phase": "reveal"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    moved = api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "vote"})
    assert moved.status_code == 200 and moved.get_json()["phase"] == "vote"
    back = api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "write"})
    assert back.status_code == 422 and "戻せません" in back.get_json()["error"]["message"]
    assert api(people["organizer"], "post", f"/retros/{board.id}/phase",
               json={"phase": "later"}).status_code == 422
    assert api(people["organizer"], "post", f"/retros/{board.id}/phase",
               json={"phase": 3}).status_code == 400
    assert api(people["me"], "get", f"/retros/{board.id}").get_json()["phase"] == "vote"


def test_retro_card_refusals_store_nothing(api, card, people, board_of):
    board = board_of(people["team_id"], 4)
    cases = [({"column": "keep", "body": "   "}, 422),
             ({"column": "keep", "body": "あ" * 501}, 422),
             ({"column": "nope", "body": "列がない"}, 422), ({"column": "keep", "body": 5}, 400),
             ({"column": "keep", "body": "NUL\x00"}, 422),
             ({"column": "keep", "body": "surrogate \ud800"}, 422)]
    for payload, status in cases:
        response = api(people["me"], "post", f"/retros/{board.id}/cards", json=payload)
        assert response.status_code == status, payload
        assert response.get_json()["error"]["message"]
    assert api(people["me"], "post", f"/retros/{board.id}/cards", data="x",
               content_type="application/json").status_code == 400
    assert card(people["trainer"], board.id).status_code == 403
    assert card(people["me"], board.id, "あ" * 500).status_code == 201
    assert len(api(people["me"], "get", f"/retros/{board.id}").get_json()["cards"]) == 1
    api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "closed"})
    late = card(people["me"], board.id, "遅れて書いた")
    assert late.status_code == 422 and late.get_json()["error"]["code"] == "wrong_phase"


def test_retro_card_repeat_with_same_client_id_is_stored_once(api, people, board_of):
    board = board_of(people["team_id"], 4)
    payload = {"column": "try", "body": "二度送る", "client_card_id": str(uuid.uuid4())}
    first = api(people["me"], "post", f"/retros/{board.id}/cards", json=payload)
    again = api(people["me"], "post", f"/retros/{board.id}/cards", json=payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    assert len(api(people["me"], "get", f"/retros/{board.id}").get_json()["cards"]) == 1


def test_retro_vote_limit_and_phase(api, card, people, board_of):
    board = board_of(people["team_id"], 4)
    ids = [card(people["mate"], board.id, f"Try {i}", "try").get_json()["id"] for i in range(5)]
    early = api(people["me"], "post", f"/retros/{board.id}/votes", json={"card_id": ids[0]})
    assert early.status_code == 422 and early.get_json()["error"]["code"] == "wrong_phase"
    api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "vote"})
    for card_id in ids[:3]:
        assert api(people["me"], "post", f"/retros/{board.id}/votes",
                   json={"card_id": card_id}).status_code == 201
    beyond = api(people["me"], "post", f"/retros/{board.id}/votes", json={"card_id": ids[3]})
    assert beyond.status_code == 422
    assert beyond.get_json()["error"]["code"] == "no_votes_left"
    twice = api(people["mate"], "post", f"/retros/{board.id}/votes", json={"card_id": ids[0]})
    assert twice.status_code == 201
    again = api(people["mate"], "post", f"/retros/{board.id}/votes", json={"card_id": ids[0]})
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "already_voted"
    assert api(people["trainer"], "post", f"/retros/{board.id}/votes",
               json={"card_id": ids[0]}).status_code == 403
    assert api(people["me"], "post", f"/retros/{board.id}/votes",
               json={"card_id": 999999}).status_code == 404
    seen = api(people["me"], "get", f"/retros/{board.id}").get_json()
    votes = {c["id"]: c["votes"] for c in seen["cards"]}
    assert [votes[i] for i in ids] == [2, 1, 1, 0, 0]
    assert seen["my_votes"] == sorted(ids[:3])
    # A withdrawn vote can go elsewhere.
    assert api(people["me"], "delete", f"/retros/{board.id}/votes/{ids[0]}").status_code == 204
    assert api(people["me"], "post", f"/retros/{board.id}/votes",
               json={"card_id": ids[4]}).status_code == 201


def test_retro_actions_in_act_phase_carry_forward_to_next_session(api, card, people, board_of):
    board, following = board_of(people["team_id"], 4), board_of(people["team_id"], 5)
    try_id = card(people["mate"], board.id, "件数を揃える", "try").get_json()["id"]
    members = api(people["me"], "get", f"/retros/{board.id}").get_json()
    payload = {"title": "件数を同じ様式で集める", "card_id": try_id, "owner_id": None}
    early = api(people["me"], "post", f"/retros/{board.id}/actions", json=payload)
    assert early.status_code == 422 and early.get_json()["error"]["code"] == "wrong_phase"
    api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "act"})
    me_id = api(people["me"], "get", "/me").get_json()["id"]
    outsider_id = api(people["outsider"], "get", "/me").get_json()["id"]
    assert api(people["me"], "post", f"/retros/{board.id}/actions",
               json={**payload, "owner_id": outsider_id}).status_code == 422
    assert api(people["me"], "post", f"/retros/{board.id}/actions",
               json={**payload, "title": ""}).status_code == 422
    created = api(people["me"], "post", f"/retros/{board.id}/actions",
                  json={**payload, "owner_id": me_id})
    assert created.status_code == 201
    action = created.get_json()
    assert action["owner"]["id"] == me_id and action["status"] == "open"
    staff_made = api(people["trainer"], "post", f"/retros/{board.id}/actions",
                     json={"title": "講師が追加", "card_id": None, "owner_id": None})
    assert staff_made.status_code == 201
    assert api(people["outsider"], "post", f"/retros/{board.id}/actions",
               json=payload).status_code == 404
    assert members["carried"] == []

    carried = api(people["mate"], "get", f"/retros/{following.id}").get_json()["carried"]
    assert [a["title"] for a in carried] == ["件数を同じ様式で集める", "講師が追加"]
    done = api(people["mate"], "patch", f"/retro-actions/{action['id']}",
               json={"status": "done", "comment": "全自治体分そろった"})
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    assert api(people["me"], "patch", f"/retro-actions/{action['id']}",
               json={"status": "finished"}).status_code == 422
    assert api(people["outsider"], "patch", f"/retro-actions/{action['id']}",
               json={"status": "dropped"}).status_code == 404
    again = api(people["me"], "get", f"/retros/{following.id}").get_json()["carried"][0]
    assert (again["status"], again["comment"]) == ("done", "全自治体分そろった")


def test_retro_demo_session_two_carries_session_one_actions(api, people, board_of):
    board = board_of(people["team_id"], 2)
    seen = api(people["me"], "get", f"/retros/{board.id}").get_json()
    assert {a["status"] for a in seen["carried"]} == {"done", "dropped"}
    assert seen["phase"] == "closed" and seen["hidden_count"] == 0 and seen["actions"]


def test_retro_board_query_count_does_not_grow_with_cards(api, card, people, board_of,
                                                          count_queries):
    small, big = board_of(people["team_id"], 4), board_of(people["team_id"], 1)
    with count_queries() as few:
        api(people["me"], "get", f"/retros/{small.id}")
    with count_queries() as many:
        api(people["me"], "get", f"/retros/{big.id}")
    assert len(many) <= len(few) + 1, many


def test_retro_phase_changed_signal_is_sent_once_per_change(api, people, board_of):
    from lms.retros.signals import retro_phase_changed

    board = board_of(people["team_id"], 4)
    seen = []

    def record(sender, **kwargs):
        seen.append((sender.id, kwargs["old_phase"], kwargs["new_phase"],
                     kwargs["actor"].email))

    retro_phase_changed.connect(record)
    try:
        api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "reveal"})
        api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "reveal"})
        api(people["me"], "post", f"/retros/{board.id}/phase", json={"phase": "vote"})
    finally:
        retro_phase_changed.disconnect(record)
    assert seen == [(board.id, "write", "reveal", people["trainer"])]


def test_retro_and_survey_paths_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/cohorts/{slug}/retros", "/retros/{id}", "/retros/{id}/cards",
                 "/retros/{id}/phase", "/retros/{id}/votes", "/retros/{id}/actions",
                 "/retro-actions/{id}", "/cohorts/{slug}/surveys", "/surveys/{id}/response",
                 "/surveys/{id}/results", "/cohorts/{slug}/export/feedback.csv",
                 "/cohorts/{slug}/export/feedback.xlsx"):
        assert path in paths, path
    assert "201" in paths["/retros/{id}/cards"]["post"]["responses"]
