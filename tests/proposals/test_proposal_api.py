"""Proposals over /api/v1: one per team, conflict-safe saves, history, diff, goal check,
submit, rights and bad input."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.proposals.models import Proposal, ProposalVersion

GOAL_MEANS = "電子申請を導入する。"
GOAL_OUTCOME = ("令和6年3月までに、子育て世帯の保護者が窓口に来なくても申請を終えられる割合を"
                "50%にする。")


def my_proposal(client, headers, slug="tokyo-dx-2021") -> dict:
    listing = client.get(f"/api/v1/cohorts/{slug}/proposals", headers=headers)
    assert listing.status_code == 200
    [mine] = listing.get_json()
    return client.get(f"/api/v1/proposals/{mine['id']}", headers=headers).get_json()


def save(client, headers, pid, revision, sections):
    return client.put(f"/api/v1/proposals/{pid}", headers=headers,
                      json={"revision": revision, "sections": sections})


def test_proposal_every_team_has_one_and_participant_lists_only_theirs(
        client, db, demo, people, token_for):
    staff = client.get("/api/v1/cohorts/tokyo-dx-2021/proposals",
                       headers=token_for(people.trainer)).get_json()
    assert len(staff) == 5 and {p["status"] for p in staff} == {"draft"}
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 5
    mine = client.get("/api/v1/cohorts/tokyo-dx-2021/proposals",
                      headers=token_for(people.member)).get_json()
    assert [p["team_id"] for p in mine] == [people.team_id]
    assert set(mine[0]) >= {"id", "team_id", "status", "revision"}


def test_proposal_read_has_contract_shape(client, demo, people, token_for):
    body = my_proposal(client, token_for(people.member))
    assert body["status"] == "draft" and body["revision"] == 0
    keys = [s["key"] for s in body["sections"]]
    assert len(keys) == 13 and "vision_goal" in keys
    assert {s["title"] for s in body["sections"]} >= {"背景と現状の課題", "ビジョンと目標"}
    assert [r["label"] for r in body["rubric"]] == [
        "課題の明確さ", "目標が成果になっているか", "施策の妥当性", "横展開の可能性", "実現可能性"]
    assert all(len(r["levels"]) == 5 for r in body["rubric"])
    assert body["review"] is None
    assert set(body["goals"]) >= {"verdict", "reasons", "suggestion", "level", "slots", "goals"}


def test_proposal_concurrent_saves_stale_one_refused_nothing_lost(client, demo, people,
                                                                    token_for, db):
    me, mate = token_for(people.member), token_for(people.mate)
    pid = my_proposal(client, me)["id"]
    first = save(client, me, pid, 0, {"background": "窓口の待ち時間が平均40分。"})
    assert first.status_code == 200 and first.get_json()["revision"] == 1
    # The teammate started from revision 0 too: refused, with the current text.
    stale = save(client, mate, pid, 0, {"background": "申請書の記入に時間がかかる。"})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_revision" and "保存されていません" in error["message"]
    current = {s["key"]: s["body"] for s in error["proposal"]["sections"]}
    assert current["background"] == "窓口の待ち時間が平均40分。"
    assert error["proposal"]["revision"] == 1
    # After merging, the teammate saves on the current revision; both texts survive.
    merged = save(client, mate, pid, 1, {
        "background": "窓口の待ち時間が平均40分。\n申請書の記入に時間がかかる。",
        "risks": "異動で担当者が替わる。"})
    assert merged.status_code == 200
    body = client.get(f"/api/v1/proposals/{pid}", headers=me).get_json()
    sections = {s["key"]: s["body"] for s in body["sections"]}
    assert sections["background"].splitlines() == ["窓口の待ち時間が平均40分。",
                                                   "申請書の記入に時間がかかる。"]
    assert sections["risks"] == "異動で担当者が替わる。" and body["revision"] == 2
    assert db.session.scalar(select(func.count()).select_from(ProposalVersion)) == 2


def test_proposal_history_and_diff_per_section(client, demo, people, token_for):
    me, mate = token_for(people.member), token_for(people.mate)
    pid = my_proposal(client, me)["id"]
    save(client, me, pid, 0, {"background": "一行目\n二行目"})
    save(client, mate, pid, 1, {"background": "一行目\n二行目を直した", "risks": "予算"})
    versions = client.get(f"/api/v1/proposals/{pid}/versions", headers=me).get_json()
    assert [v["revision"] for v in versions] == [2, 1]
    assert versions[0]["author"]["name"] != versions[1]["author"]["name"]
    assert all("+" in v["created_at"] or v["created_at"].endswith("Z") for v in versions)
    diff = client.get(f"/api/v1/proposals/{pid}/diff?from=1&to=2", headers=me).get_json()
    by_key = {s["key"]: s["diff"] for s in diff["sections"]}
    assert "-二行目" in by_key["background"] and "+二行目を直した" in by_key["background"]
    assert " 一行目" in by_key["background"]
    assert "+予算" in by_key["risks"] and by_key["team"] == ""
    from_empty = client.get(f"/api/v1/proposals/{pid}/diff?from=0&to=1", headers=me)
    assert "+一行目" in {s["key"]: s["diff"] for s in from_empty.get_json()["sections"]}[
        "background"]
    assert client.get(f"/api/v1/proposals/{pid}/diff?from=1&to=9",
                      headers=me).status_code == 422
    assert client.get(f"/api/v1/proposals/{pid}/diff?from=x&to=1",
                      headers=me).status_code == 400


def test_proposal_goal_section_verdict_per_sentence(client, demo, people, token_for):
    me = token_for(people.member)
    pid = my_proposal(client, me)["id"]
    response = save(client, me, pid, 0, {"vision_goal": f"- {GOAL_MEANS}\n- {GOAL_OUTCOME}"})
    goals = response.get_json()["goals"]
    assert [g["verdict"] for g in goals["goals"]] == ["means", "outcome"]
    assert goals["goals"][0]["suggestion"]
    assert goals["goals"][1]["slots"]["deadline"] == "令和6年3月までに"


def test_proposal_submit_with_means_goal_is_flagged_not_blocked(client, demo, people,
                                                                 token_for):
    me, trainer = token_for(people.member), token_for(people.trainer)
    pid = my_proposal(client, me)["id"]
    save(client, me, pid, 0, {"vision_goal": GOAL_MEANS})
    submitted = client.post(f"/api/v1/proposals/{pid}/submit", headers=me)
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    assert "means_goal" not in submitted.get_json()
    assert client.get(f"/api/v1/proposals/{pid}", headers=trainer).get_json()["means_goal"]
    again = client.post(f"/api/v1/proposals/{pid}/submit", headers=me)
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "already_submitted"


def test_proposal_empty_cannot_be_submitted(client, demo, people, token_for):
    me = token_for(people.member)
    pid = my_proposal(client, me)["id"]
    response = client.post(f"/api/v1/proposals/{pid}/submit", headers=me)
    assert response.status_code == 422 and "空" in response.get_json()["error"]["message"]


def test_proposal_bad_input_is_refused_and_nothing_half_stored(client, demo, people,
                                                               token_for, db):
    me = token_for(people.member)
    pid = my_proposal(client, me)["id"]
    too_long = save(client, me, pid, 0, {"background": "書", "risks": "あ" * 20_001})
    assert too_long.status_code == 422
    assert "20,000文字" in too_long.get_json()["error"]["message"]
    unknown = save(client, me, pid, 0, {"background": "書", "budget": "x"})
    assert unknown.status_code == 422 and "budget" in unknown.get_json()["error"]["message"]
    assert save(client, me, pid, 0, {"background": "a\x00b"}).status_code == 422
    assert save(client, me, pid, 0, {"background": 3}).status_code == 400
    assert save(client, me, pid, "0", {"background": "x"}).status_code == 400
    assert save(client, me, pid, 0, ["x"]).status_code == 400
    assert client.put(f"/api/v1/proposals/{pid}", headers=me, data="x",
                      content_type="text/plain").status_code == 400
    body = client.get(f"/api/v1/proposals/{pid}", headers=me).get_json()
    assert body["revision"] == 0 and all(s["body"] == "" for s in body["sections"])
    assert db.session.scalar(select(func.count()).select_from(ProposalVersion)) == 0
    exactly = save(client, me, pid, 0, {"risks": "あ" * 20_000})
    assert exactly.status_code == 200


def test_proposal_other_teams_get_404_and_staff_cannot_edit(client, demo, people, token_for):
    me, other = token_for(people.member), token_for(people.outsider)
    pid = my_proposal(client, me)["id"]
    for url in (f"/api/v1/proposals/{pid}", f"/api/v1/proposals/{pid}/versions",
                f"/api/v1/proposals/{pid}/comments", f"/api/v1/proposals/{pid}/export.docx",
                f"/api/v1/proposals/{pid}/diff?from=0&to=0"):
        assert client.get(url, headers=other).status_code == 404, url
    assert save(client, other, pid, 0, {"background": "x"}).status_code == 404
    assert client.post(f"/api/v1/proposals/{pid}/submit", headers=other).status_code == 404
    trainer = token_for(people.trainer)
    assert client.get(f"/api/v1/proposals/{pid}", headers=trainer).status_code == 200
    assert save(client, trainer, pid, 0, {"background": "x"}).status_code == 403
    assert client.get("/api/v1/proposals/999999", headers=me).status_code == 404
    assert client.get(f"/api/v1/proposals/{pid}").status_code == 401


def test_proposal_session_writes_need_csrf(client, demo, people, login_as, app):
    login_as(people.member)
    app.config["WTF_CSRF_ENABLED"] = True
    listing = client.get("/api/v1/cohorts/tokyo-dx-2021/proposals").get_json()
    response = client.put(f"/api/v1/proposals/{listing[0]['id']}",
                          json={"revision": 0, "sections": {"background": "x"}})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


def test_proposal_openapi_lists_the_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/proposals/{id}", "/proposals/{id}/diff", "/proposals/{id}/review",
                 "/proposals/{id}/export.docx", "/cohorts/{slug}/proposals"):
        assert path in paths


def test_proposal_created_with_each_new_team(db, demo):
    from lms.teams.services import form_teams

    form_teams(demo, 7)  # teams_changed: the proposals domain gives each new team its own
    db.session.commit()
    teams = {p.team_id for p in db.session.scalars(select(Proposal))}
    assert len(teams) == 7
