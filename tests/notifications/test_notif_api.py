"""GET/POST /api/v1/notifications per CONTRACT, the list page, and the bell's live count."""

from __future__ import annotations

from lms.auth.services import get_user_by_email
from lms.extensions import socketio
from lms.notifications.services import notify
from tests.conftest import csrf_from
from tests.notifications.helpers import notes_of


def _make(db, email: str, n: int, kind: str = "mention") -> list[int]:
    user = get_user_by_email(email)
    ids = [notify([user], kind, f"お知らせ{i}", f"/c/x/{i}")[0].id for i in range(n)]
    db.session.commit()
    return ids


def test_notif_api_lists_newest_first_with_contract_fields(client, demo, db, token_for):
    ids = _make(db, "p01@example.jp", 3)
    _make(db, "p02@example.jp", 1)
    body = client.get("/api/v1/notifications", headers=token_for("p01@example.jp")).get_json()
    assert [n["id"] for n in body] == ids[::-1]
    assert set(body[0]) == {"id", "kind", "text", "url", "read", "created_at"}
    assert body[0]["kind"] == "mention" and body[0]["read"] is False
    assert "+00:00" in body[0]["created_at"]


def test_notif_api_mark_read_by_ids_and_all(client, demo, db, token_for):
    mine = _make(db, "p01@example.jp", 3)
    theirs = _make(db, "p02@example.jp", 1)
    headers = token_for("p01@example.jp")
    response = client.post("/api/v1/notifications/read", headers=headers,
                           json={"ids": [mine[0], theirs[0]]})
    assert response.status_code == 200
    assert response.get_json() == {"updated": 1, "unread": 2}
    unread = client.get("/api/v1/notifications?unread=1", headers=headers).get_json()
    assert [n["id"] for n in unread] == [mine[2], mine[1]]
    assert notes_of("p02@example.jp")[0].read is False  # another's id is ignored
    response = client.post("/api/v1/notifications/read", headers=headers, json={"all": True})
    assert response.get_json() == {"updated": 2, "unread": 0}
    assert client.get("/api/v1/notifications?unread=1", headers=headers).get_json() == []


def test_notif_api_refusals(client, demo, db, token_for):
    headers = token_for("p01@example.jp")
    assert client.get("/api/v1/notifications").status_code == 401
    bad = [("not json", 400), ({"ids": "1"}, 400), ({"ids": [True]}, 400), ({}, 400),
           ({"all": "yes"}, 400), ({"ids": list(range(501))}, 422)]
    for body, status in bad:
        if isinstance(body, str):
            response = client.post("/api/v1/notifications/read", headers=headers, data=body,
                                   content_type="application/json")
        else:
            response = client.post("/api/v1/notifications/read", headers=headers, json=body)
        assert response.status_code == status, body
        assert response.get_json()["error"]["code"]
    assert client.get("/api/v1/notifications?limit=x", headers=headers).status_code == 400


def test_notif_api_cookie_writes_need_csrf(login_as, client, demo, db):
    _make(db, "p01@example.jp", 1)
    login_as("p01@example.jp")
    assert client.post("/api/v1/notifications/read", json={"all": True}).status_code == 400
    token = csrf_from(client.get("/notifications").get_data(as_text=True))
    response = client.post("/api/v1/notifications/read", json={"all": True},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_notif_page_bell_read_unread_and_mark_all(login_as, client, demo, db):
    ids = _make(db, "p01@example.jp", 2)
    login_as("p01@example.jp")
    page = client.get("/").get_data(as_text=True)
    assert 'id="notif-bell"' in page and "未読<span id=\"notif-count-n\">2</span>件" in page
    listing = client.get("/notifications").get_data(as_text=True)
    assert "お知らせ一覧" in listing and "未読 <strong>2件</strong>" in listing
    assert listing.count("● 未読") == 2
    # Opening one marks it read and goes to its link.
    response = client.get(f"/notifications/{ids[0]}/open")
    assert response.status_code == 302 and response.headers["Location"] == "/c/x/0"
    listing = client.get("/notifications").get_data(as_text=True)
    assert listing.count("● 未読") == 1 and "未読に戻す" in listing
    only_unread = client.get("/notifications?unread=1").get_data(as_text=True)
    assert "お知らせ1" in only_unread and "お知らせ0" not in only_unread
    client.post(f"/notifications/{ids[0]}/read", data={"csrf_token": csrf_from(listing),
                                                       "read": "0"})
    assert client.get("/notifications").get_data(as_text=True).count("● 未読") == 2
    response = client.post("/notifications/read-all", data={"csrf_token": csrf_from(listing)},
                           follow_redirects=True)
    assert "2件のお知らせを既読にしました" in response.get_data(as_text=True)
    assert 'id="notif-count"\n            hidden' in client.get("/").get_data(as_text=True)


def test_notif_someone_elses_notification_is_not_found(login_as, client, demo, db):
    theirs = _make(db, "p02@example.jp", 1)[0]
    login_as("p01@example.jp")
    assert client.get(f"/notifications/{theirs}/open").status_code == 404


def test_notif_open_never_redirects_off_site(login_as, client, demo, db):
    user = get_user_by_email("p01@example.jp")
    note = notify([user], "mention", "外部", "//evil.example/x")[0]
    db.session.commit()
    login_as("p01@example.jp")
    assert client.get(f"/notifications/{note.id}/open").headers["Location"] == "/notifications"


def test_notif_bell_updates_live_after_commit(login_as, client, app, demo, db):
    login_as("p01@example.jp")
    mine = socketio.test_client(app, flask_test_client=client)
    assert mine.is_connected()
    mine.get_received()
    user = get_user_by_email("p01@example.jp")
    notify([user], "mention", "まだコミット前", "/x")
    db.session.flush()
    assert [e for e in mine.get_received() if e["name"] == "notifications"] == []
    db.session.commit()
    events = [e for e in mine.get_received() if e["name"] == "notifications"]
    assert len(events) == 1
    assert events[0]["args"][0]["unread"] == 1
    assert events[0]["args"][0]["latest"]["text"] == "まだコミット前"
    # Nothing reaches another user's socket.
    notify([get_user_by_email("p02@example.jp")], "mention", "別の人へ", "/y")
    db.session.commit()
    assert [e for e in mine.get_received() if e["name"] == "notifications"] == []
    mine.disconnect()


def test_notif_api_settings_change_only_the_kinds_given(client, demo, db, token_for):
    headers = token_for("p01@example.jp")
    assert client.get("/api/v1/notifications/settings").status_code == 401
    settings = client.get("/api/v1/notifications/settings", headers=headers).get_json()["settings"]
    assert settings["mention"] == {"enabled": True, "mail": "digest"}
    response = client.put("/api/v1/notifications/settings", headers=headers, json={
        "settings": {"mention": {"enabled": False}, "feedback": {"mail": "immediate"}}})
    assert response.status_code == 200
    after = response.get_json()["settings"]
    assert after["mention"] == {"enabled": False, "mail": "digest"}
    assert after["feedback"] == {"enabled": True, "mail": "immediate"}
    assert after["reply"] == settings["reply"]
    # The switch is real: a mention no longer reaches p01, but still reaches p02.
    assert _make(db, "p02@example.jp", 1)
    assert notify([get_user_by_email("p01@example.jp")], "mention", "x") == []
    # Another user's settings are their own.
    other = client.get("/api/v1/notifications/settings",
                       headers=token_for("p02@example.jp")).get_json()["settings"]
    assert other["mention"]["enabled"] is True


def test_notif_api_settings_refuse_bad_input_and_keep_what_was_saved(client, demo, db,
                                                                    token_for):
    headers = token_for("p01@example.jp")
    client.put("/api/v1/notifications/settings", headers=headers,
               json={"settings": {"reply": {"mail": "none"}}})
    bad = [({"settings": {"nosuchkind": {"enabled": False}}}, 422),
           ({"settings": {"reply": {"mail": "weekly"}}}, 422),
           ({"settings": {"reply": {"enabled": "no"}}}, 400),
           ({"settings": []}, 400), ({}, 400)]
    for body, status in bad:
        response = client.put("/api/v1/notifications/settings", headers=headers, json=body)
        assert response.status_code == status, body
        assert response.get_json()["error"]["message"]
    settings = client.get("/api/v1/notifications/settings", headers=headers).get_json()["settings"]
    assert settings["reply"] == {"enabled": True, "mail": "none"}
