"""The goal checker through the API, the CLI and its page."""

from __future__ import annotations

import json

from tests.conftest import csrf_from, login

CONTRACT_KEYS = {"verdict", "reasons", "suggestion", "level", "slots", "goals"}


def test_api_judges_a_method_as_means(client, demo, token_for):
    response = client.post("/api/v1/goals/check", json={"text": "電子申請をする"},
                           headers=token_for("p01@example.jp"))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == CONTRACT_KEYS
    assert body["verdict"] == "means"
    assert body["reasons"] and all(isinstance(r, str) for r in body["reasons"])


def test_api_judges_an_outcome(client, demo, token_for):
    body = client.post("/api/v1/goals/check",
                       json={"text": "2026年度までに窓口の平均待ち時間を30分から10分に短縮する"},
                       headers=token_for("p01@example.jp")).get_json()
    assert body["verdict"] == "outcome"
    assert body["slots"]["deadline"]


def test_api_refuses_bad_input(client, demo, token_for):
    headers = token_for("p01@example.jp")
    assert client.post("/api/v1/goals/check", data="text", headers=headers).status_code == 400
    assert client.post("/api/v1/goals/check", json={"text": 5},
                       headers=headers).status_code == 400
    assert client.post("/api/v1/goals/check", json={}, headers=headers).status_code == 400
    long = client.post("/api/v1/goals/check", json={"text": "あ" * 2001}, headers=headers)
    assert long.status_code == 422
    assert "2000文字以内" in long.get_json()["error"]["message"]
    ok = client.post("/api/v1/goals/check", json={"text": "あ" * 2000}, headers=headers)
    assert ok.status_code == 200


def test_api_needs_identity(client):
    assert client.post("/api/v1/goals/check", json={"text": "x"}).status_code == 401


def test_cookie_callers_must_send_the_csrf_token(app, client, demo):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login").get_data(as_text=True)
    token = csrf_from(page)
    client.post("/login", data={"email": "p01@example.jp", "password": "correct-horse-battery",
                                "csrf_token": token})
    refused = client.post("/api/v1/goals/check", json={"text": "電子申請をする"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    page = client.get("/goals").get_data(as_text=True)
    accepted = client.post("/api/v1/goals/check", json={"text": "電子申請をする"},
                           headers={"X-CSRFToken": csrf_from(page)})
    assert accepted.status_code == 200


def test_cli_prints_json(app):
    result = app.test_cli_runner().invoke(args=["lms", "goals", "check", "電子申請をする"])
    assert result.exit_code == 0
    body = json.loads(result.output)
    assert body["verdict"] == "means"
    assert set(body) == CONTRACT_KEYS


def test_checker_page(client, demo):
    login(client, "p01@example.jp")
    page = client.get("/goals").get_data(as_text=True)
    assert "目標チェッカー" in page
    assert 'data-goal-checker="goal-text"' in page
    assert "js/goal-checker.js" in page


def _homework(db, cohort, key):
    from sqlalchemy import select

    from lms.homework.models import Homework

    return db.session.scalar(select(Homework).where(Homework.cohort_id == cohort.id,
                                                    Homework.key == key))


def test_goal_setting_homework_shows_the_checker_beside_the_draft(login_as, db, demo):
    goal_hw = _homework(db, demo, "s1_charter")
    assert goal_hw.goal_setting
    client = login_as("p01@example.jp")
    page = client.get(f"/c/tokyo-dx-2021/homework/{goal_hw.id}").get_data(as_text=True)
    assert 'data-goal-checker="body"' in page
    assert "js/goal-checker.js" in page
    other = _homework(db, demo, "s1_hearing")
    assert not other.goal_setting
    page = client.get(f"/c/tokyo-dx-2021/homework/{other.id}").get_data(as_text=True)
    assert "data-goal-checker" not in page
