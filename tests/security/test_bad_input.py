"""Bad input never a 500 (issue 14): the outside probe's inputs, on SQLite and PostgreSQL.

Each test sends what the probe sent and asserts the refusal a user sees (status, code, a
Japanese message) and that nothing was stored."""

from __future__ import annotations

import io
import json
import time
import uuid

from sqlalchemy import func, select

from lms.extensions import db

SLUG = "tokyo-dx-2021"
BIG = 2**40
HUGE = 2**63 + 1
NUL = "申請\x00書"


def _channel_id(client, headers) -> int:
    channels = client.get(f"/api/v1/cohorts/{SLUG}/channels", headers=headers).get_json()
    return next(c["id"] for c in channels if c["kind"] == "cohort")


def _open_homework(client, headers, kind="individual") -> dict:
    listing = client.get(f"/api/v1/cohorts/{SLUG}/homework", headers=headers).get_json()
    return next(h for h in listing if h["kind"] == kind and not h["closed"])


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    if code:
        assert error["code"] == code
    assert error["message"] and not error["message"].isascii()  # Japanese
    return error


# --- NUL and lone surrogates ---------------------------------------------------------------

def test_nul_in_a_message_is_refused_and_nothing_stored(backend_app, bearer):
    from lms.channels.models import Message

    client, headers = backend_app.test_client(), bearer()
    channel = _channel_id(client, headers)
    before = _count(Message)
    response = client.post(f"/api/v1/channels/{channel}/messages", headers=headers,
                           json={"body": NUL, "client_msg_id": str(uuid.uuid4())})
    assert "NUL" in _error(response, 422, "invalid")["message"]
    assert _count(Message) == before


def test_lone_surrogate_in_a_message_is_refused(backend_app, bearer):
    from lms.channels.models import Message

    client, headers = backend_app.test_client(), bearer()
    channel = _channel_id(client, headers)
    before = _count(Message)
    raw = '{"body": "\\ud800 です", "client_msg_id": "' + str(uuid.uuid4()) + '"}'
    response = client.post(f"/api/v1/channels/{channel}/messages", data=raw,
                           headers={**headers, "Content-Type": "application/json"})
    assert "サロゲート" in _error(response, 422, "invalid")["message"]
    assert _count(Message) == before


def test_nul_in_search_draft_submission_title_and_feedback(backend_app, bearer):
    client, p01, trainer = backend_app.test_client(), bearer(), bearer("trainer1@example.jp")
    _error(client.get(f"/api/v1/cohorts/{SLUG}/search", query_string={"q": NUL},
                      headers=p01), 422)
    hw = _open_homework(client, p01)
    _error(client.put(f"/api/v1/homework/{hw['id']}/draft", headers=p01,
                      json={"body": NUL, "revision": 0}), 422)
    _error(client.post(f"/api/v1/homework/{hw['id']}/submissions", headers=p01,
                       data={"body": NUL, "client_submission_id": "nul-1"}), 422)
    _error(client.post(f"/api/v1/cohorts/{SLUG}/homework", headers=trainer,
                       json={"session_number": 3, "title": NUL, "kind": "individual",
                             "due_at": "2031-01-01T23:59:00+09:00"}), 422)
    good = client.post(f"/api/v1/homework/{hw['id']}/submissions", headers=p01,
                       data={"body": "提出します", "client_submission_id": str(uuid.uuid4())})
    assert good.status_code == 201
    _error(client.put(f"/api/v1/submissions/{good.get_json()['id']}/review", headers=trainer,
                      json={"status": "ok", "feedback": NUL}), 422)


def test_nul_in_html_forms_is_a_400_page(backend_app, web):
    anonymous = backend_app.test_client()
    login = anonymous.post("/login", data={"email": "p01\x00@example.jp", "password": "x"})
    assert login.status_code == 400 and "NUL" in login.get_data(as_text=True)
    client = web()
    channel = _channel_id(client, {})
    page = client.post(f"/c/{SLUG}/channels/{channel}", data={"body": NUL})
    assert page.status_code == 400 and "使えない文字" in page.get_data(as_text=True)
    search = client.get(f"/c/{SLUG}/search", query_string={"q": NUL})
    assert search.status_code == 400
    # A NUL in a path segment names nothing.
    assert client.get(f"/c/{SLUG}%00/channels").status_code == 404


# --- Ids and numbers out of range ----------------------------------------------------------

def test_path_ids_beyond_the_database_integer_are_404(backend_app, bearer, web):
    client, headers = backend_app.test_client(), bearer()
    for value in (2**31, BIG, 10**30):
        _error(client.get(f"/api/v1/channels/{value}/messages", headers=headers), 404)
        _error(client.get(f"/api/v1/submissions/{value}", headers=headers), 404)
        assert web().get(f"/c/{SLUG}/homework/{value}").status_code == 404
    assert web().get(f"/c/{SLUG}/sessions/{BIG}").status_code == 404


def test_query_and_body_ids_beyond_range_are_422(backend_app, bearer):
    client, headers = backend_app.test_client(), bearer()
    channel = _channel_id(client, headers)
    for name, value in (("after_id", HUGE), ("before_id", HUGE), ("after_id", BIG)):
        error = _error(client.get(f"/api/v1/channels/{channel}/messages",
                                  query_string={name: value}, headers=headers), 422)
        assert name in error["message"]
    _error(client.post(f"/api/v1/channels/{channel}/messages", headers=headers,
                       json={"body": "返信", "client_msg_id": str(uuid.uuid4()),
                             "parent_id": BIG}), 422)
    _error(client.post(f"/api/v1/cohorts/{SLUG}/homework", headers=bearer("trainer1@example.jp"),
                       json={"session_number": BIG, "title": "追加", "kind": "individual",
                             "due_at": "2031-01-01T23:59:00+09:00"}), 422)
    # Still fine: an in-range id that does not exist.
    assert client.get(f"/api/v1/channels/{channel}/messages", query_string={"after_id": 7},
                      headers=headers).status_code == 200


def test_team_move_to_a_huge_team_id_is_refused(backend_app, web):
    organizer = web("organizer@example.jp")
    response = organizer.post(f"/c/{SLUG}/teams/move",
                              data={"municipality": "131121", "team": str(BIG)})
    assert response.status_code == 422
    assert "範囲外" in response.get_data(as_text=True)


def test_json_nested_100000_deep_is_400(backend_app, bearer):
    client, headers = backend_app.test_client(), bearer()
    channel = _channel_id(client, headers)
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(f"/api/v1/channels/{channel}/messages", data=deep,
                            headers={**headers, "Content-Type": "application/json"})
    assert "入れ子" in _error(response, 400, "bad_request")["message"]
    shallow_but_many = {"body": "ok", "client_msg_id": str(uuid.uuid4()),
                        "x": [[[[1]]]]}
    assert client.post(f"/api/v1/channels/{channel}/messages", headers=headers,
                       json=shallow_but_many).status_code == 201


def test_attendance_match_with_an_unbounded_count_answers_at_once(backend_app, web):
    trainer = web("trainer1@example.jp")
    started = time.monotonic()
    response = trainer.post(f"/c/{SLUG}/sessions/1/attendance/match",
                            data={"count": str(10**9)})
    assert response.status_code == 302
    assert time.monotonic() - started < 2
    assert trainer.post(f"/c/{SLUG}/sessions/1/attendance/match",
                        data={"count": str(BIG)}).status_code == 422


# --- Enrolment rows --------------------------------------------------------------------------

def test_enrolment_rows_too_long_are_reported_per_row(backend_app, web):
    from lms.cohorts.models import Membership

    organizer = web("organizer@example.jp")
    csv = ("氏名,メールアドレス,自治体,役割\r\n"
           f"{'長' * 101},long-name@example.jp,世田谷区,受講者\r\n"
           f"普通 太郎,{'a' * 250}@example.jp,世田谷区,受講者\r\n"
           "制御\x07文字,ctrl@example.jp,世田谷区,受講者\r\n").encode()
    before = _count(Membership)
    response = organizer.post(f"/c/{SLUG}/enrolment",
                              data={"csv_file": (io.BytesIO(csv), "名簿.csv")},
                              content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "2行目: 氏名が長すぎます" in page and "100文字まで" in page
    assert "3行目: メールアドレスが長すぎます" in page and "254文字まで" in page
    assert "4行目: 氏名に使えない文字" in page
    assert _count(Membership) == before


# --- Files, Markdown, headers --------------------------------------------------------------

def test_bidi_controls_are_removed_from_uploaded_file_names(backend_app, bearer):
    from tests.homework.helpers import PDF

    client, headers = backend_app.test_client(), bearer("p03@example.jp")
    hw = _open_homework(client, headers)
    response = client.post(f"/api/v1/homework/{hw['id']}/submissions", headers=headers,
                           data={"body": "", "client_submission_id": str(uuid.uuid4()),
                                 "files": (io.BytesIO(PDF), "invoice\u202efdp.exe.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 201
    assert response.get_json()["files"][0]["name"] == "invoicefdp.exe.pdf"


def test_a_zero_byte_file_is_called_empty(backend_app, bearer):
    client, headers = backend_app.test_client(), bearer("p05@example.jp")
    hw = _open_homework(client, headers)
    response = client.post(f"/api/v1/homework/{hw['id']}/submissions", headers=headers,
                           data={"body": "添付します", "client_submission_id": "zero",
                                 "files": (io.BytesIO(b""), "報告書.pdf")},
                           content_type="multipart/form-data")
    error = _error(response, 422, "empty_file")
    assert "空のファイル" in error["message"] and "報告書.pdf" in error["message"]


def test_raw_html_in_a_message_shows_as_text(backend_app, bearer):
    client, headers = backend_app.test_client(), bearer()
    channel = _channel_id(client, headers)
    response = client.post(f"/api/v1/channels/{channel}/messages", headers=headers,
                           json={"body": "<b>太字</b>の書き方と <script>alert(1)</script>",
                                 "client_msg_id": str(uuid.uuid4())})
    html = response.get_json()["body_html"]
    assert "&lt;b&gt;太字&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html


def test_csp_lets_sockets_reach_this_site_only(backend_app):
    csp = backend_app.test_client().get("/login").headers["Content-Security-Policy"]
    assert "connect-src 'self';" in csp and "ws:" not in csp


def test_json_walk_accepts_ordinary_payloads(backend_app, bearer):
    """The guard does not refuse what is fine: digits in free text and client ids."""
    client, headers = backend_app.test_client(), bearer()
    channel = _channel_id(client, headers)
    response = client.post(f"/api/v1/channels/{channel}/messages", headers=headers,
                           data=json.dumps({"body": "電話 09012345678 まで",
                                            "client_msg_id": "17013000000001234"}),
                           content_type="application/json")
    assert response.status_code == 201
