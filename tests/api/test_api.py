"""The JSON API from outside: identity, /me, channels, errors, OpenAPI, health."""

from __future__ import annotations

from tests.conftest import login


def test_me_with_bearer_token(client, demo, token_for):
    response = client.get("/api/v1/me", headers=token_for("p01@example.jp"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == "p01@example.jp"
    [entry] = body["cohorts"]
    assert entry["slug"] == "tokyo-dx-2021"
    assert entry["title"] == "東京都区市町村向け自治体変革PJ-DX研修2021"
    assert entry["role"] == "participant"
    assert entry["municipality"] == {"code": "131121", "name": "世田谷区"}
    assert isinstance(entry["team_id"], int)


def test_me_for_a_trainer_has_no_team(client, demo, token_for):
    body = client.get("/api/v1/me", headers=token_for("trainer1@example.jp")).get_json()
    assert body["cohorts"][0]["role"] == "trainer"
    assert body["cohorts"][0]["team_id"] is None
    assert body["cohorts"][0]["municipality"] is None


def test_no_identity_is_401_json(client, demo):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.get_json()["error"]["message"]


def test_bad_token_is_401(client, demo):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer lms_nope"})
    assert response.status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


def test_session_cookie_identifies_the_browser(client, demo):
    login(client, "p03@example.jp")
    assert client.get("/api/v1/me").get_json()["email"] == "p03@example.jp"


def test_participant_sees_cohort_channels_and_only_own_team_room(client, demo, token_for):
    me = client.get("/api/v1/me", headers=token_for("p01@example.jp")).get_json()
    channels = client.get("/api/v1/cohorts/tokyo-dx-2021/channels",
                          headers=token_for("p01@example.jp")).get_json()
    names = [c["name"] for c in channels if c["kind"] == "cohort"]
    assert names == ["DXの悩みごと", "DX導入事例", "お知らせ"]
    rooms = [c for c in channels if c["kind"] == "team"]
    assert len(rooms) == 1
    assert rooms[0]["team_id"] == me["cohorts"][0]["team_id"]
    assert all(set(c) == {"id", "name", "kind", "team_id", "unread"} for c in channels)


def test_trainer_sees_every_team_room(client, demo, token_for):
    channels = client.get("/api/v1/cohorts/tokyo-dx-2021/channels",
                          headers=token_for("trainer2@example.jp")).get_json()
    assert len([c for c in channels if c["kind"] == "team"]) == 5


def test_other_cohort_is_not_found(client, demo, make_cohort, token_for):
    make_cohort(slug="osaka-2030")
    response = client.get("/api/v1/cohorts/osaka-2030/channels",
                          headers=token_for("p01@example.jp"))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    missing = client.get("/api/v1/cohorts/no-such/channels", headers=token_for("p01@example.jp"))
    assert missing.status_code == 404


def test_unknown_api_path_is_json_404(client, demo, token_for):
    response = client.get("/api/v1/nothing-here", headers=token_for("p01@example.jp"))
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "ページが見つかりません。"


def test_openapi_document_lists_the_contract(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/me", "/cohorts/{slug}/channels", "/goals/check"):
        assert path in doc["paths"]


def test_healthz_reports_database_and_redis_off(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "off"}


def test_healthz_reports_redis_down(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    assert client.get("/healthz").get_json()["redis"] == "down"


def test_healthz_with_real_redis(app, client, redis_url):
    app.config["REDIS_URL"] = redis_url
    assert client.get("/healthz").get_json()["redis"] == "ok"


def test_healthz_503_when_database_is_gone(tmp_path):
    from lms.app import create_app

    bad = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/x"})
    response = bad.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
