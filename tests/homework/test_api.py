"""Homework through the JSON API from outside: readers, versions, drafts, refusals."""

from __future__ import annotations

import io
import os
from datetime import timedelta

from sqlalchemy import func, select

from lms.db import utcnow
from lms.homework.models import HomeworkDraft, Submission, SubmissionFile
from tests.homework.helpers import (
    EXE,
    OLE2,
    PDF,
    PNG,
    homework,
    ooxml,
    teammate_and_outsider,
)


def post_submission(client, headers, hw_id, body="", files=(), client_id=None):
    data = {"body": body}
    if client_id:
        data["client_submission_id"] = client_id
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/api/v1/homework/{hw_id}/submissions", data=data, headers=headers,
                       content_type="multipart/form-data")


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def uploads(app):
    folder = app.config["UPLOAD_FOLDER"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_list_homework_per_contract(client, demo, token_for):
    response = client.get("/api/v1/cohorts/tokyo-dx-2021/homework",
                          headers=token_for("p01@example.jp"))
    assert response.status_code == 200
    items = response.get_json()
    assert [i["session_number"] for i in items] == sorted(i["session_number"] for i in items)
    first = items[0]
    assert set(first) >= {"id", "session_number", "title", "kind", "due_at"}
    assert first["title"] == "業務ヒアリングと業務説明表" and first["kind"] == "municipality"
    assert first["due_at"].endswith("+00:00")
    # Due at 23:59 Tokyo, 21 days after session 1.
    assert "T14:59:00" in first["due_at"]
    assert client.get("/api/v1/cohorts/tokyo-dx-2021/homework").status_code == 401


def test_submit_versions_and_readers_municipality_kind(client, demo, token_for, app, db):
    hw = homework(demo, "s1_hearing")  # one per municipality; p01 and p02 share it
    p01, p02 = token_for("p01@example.jp"), token_for("p02@example.jp")
    response = post_submission(client, p01, hw.id, "# ヒアリング\n窓口の件数は月**120件**",
                               [("業務説明表.pdf", PDF), ("画面.png", PNG)], "c-1")
    assert response.status_code == 201
    first = response.get_json()
    assert first["version"] == 1 and first["homework_id"] == hw.id
    assert first["late"] is True  # session 1's homework is past due in the demo; accepted
    assert [f["name"] for f in first["files"]] == ["業務説明表.pdf", "画面.png"]
    assert first["files"][0]["size"] == len(PDF)

    # The colleague of the same municipality resubmits: version 2 of the same owner.
    second = post_submission(client, p02, hw.id, "改訂版", [], "c-2").get_json()
    assert second["version"] == 2

    mate, outsider = teammate_and_outsider(demo, "p01@example.jp")
    readers = {"p01@example.jp": 200, "p02@example.jp": 200, "trainer1@example.jp": 200,
               "organizer@example.jp": 200, mate: 404, outsider: 404, "p03@example.jp": 404}
    for email, status in readers.items():
        got = client.get(f"/api/v1/submissions/{first['id']}", headers=token_for(email))
        assert got.status_code == status, email
        file_got = client.get(f"/api/v1/files/{first['files'][0]['id']}",
                              headers=token_for(email))
        assert file_got.status_code == status, email
    assert client.get(f"/api/v1/submissions/{first['id']}").status_code == 401
    assert client.get(f"/api/v1/files/{first['files'][0]['id']}").status_code == 401

    # Another municipality's first submission is its own version 1.
    other = post_submission(client, token_for("p03@example.jp"), hw.id, "別の自治体").get_json()
    assert other["version"] == 1


def test_file_download_headers(client, demo, token_for):
    hw = homework(demo, "s1_nayami")
    headers = token_for("p01@example.jp")
    sub = post_submission(client, headers, hw.id, "", [("報告 書.pdf", PDF)]).get_json()
    response = client.get(f"/api/v1/files/{sub['files'][0]['id']}", headers=headers)
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E5%A0%B1%E5%91%8A%20%E6%9B%B8.pdf" in disposition
    assert 'filename="' in disposition and disposition.split('"')[1].isascii()


def test_individual_and_team_readers(client, demo, token_for):
    mate, outsider = teammate_and_outsider(demo, "p01@example.jp")
    individual = homework(demo, "s1_nayami")
    sub = post_submission(client, token_for("p01@example.jp"), individual.id, "私の悩み").get_json()
    for email, status in {"p01@example.jp": 200, "p02@example.jp": 404, mate: 404,
                          "trainer2@example.jp": 200}.items():
        assert client.get(f"/api/v1/submissions/{sub['id']}",
                          headers=token_for(email)).status_code == status, email

    team = homework(demo, "s1_charter")
    sub = post_submission(client, token_for("p01@example.jp"), team.id, "憲章").get_json()
    for email, status in {"p02@example.jp": 200, mate: 200, outsider: 404}.items():
        assert client.get(f"/api/v1/submissions/{sub['id']}",
                          headers=token_for(email)).status_code == status, email
    # The teammate from another municipality continues the same numbering.
    again = post_submission(client, token_for(mate), team.id, "憲章 改訂").get_json()
    assert again["version"] == 2


def test_same_client_submission_id_is_one_version(client, demo, token_for, db, app):
    hw = homework(demo, "s1_nayami")
    headers = token_for("p05@example.jp")
    first = post_submission(client, headers, hw.id, "一回目", [("a.pdf", PDF)], "same-id")
    repeat = post_submission(client, headers, hw.id, "一回目", [("a.pdf", PDF)], "same-id")
    assert (first.status_code, repeat.status_code) == (201, 200)
    assert repeat.get_json() == first.get_json()
    assert count(db, Submission) == 1 and count(db, SubmissionFile) == 1
    assert len(uploads(app)) == 1


def test_oversized_file_is_413_and_nothing_is_stored(client, demo, token_for, db, app):
    app.config["MAX_UPLOAD_MB"] = 1
    hw = homework(demo, "s1_nayami")
    big = PDF + b"0" * (1024 * 1024)
    response = post_submission(client, token_for("p01@example.jp"), hw.id, "本文",
                               [("小.pdf", PDF), ("大きい.pdf", big)], "big-1")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "too_large" and "大きい.pdf" in error["message"]
    assert "1MB" in error["message"]
    assert count(db, Submission) == 0 and count(db, SubmissionFile) == 0
    assert uploads(app) == []


def test_too_many_files_is_413(client, demo, token_for, db, app):
    app.config["MAX_UPLOAD_FILES"] = 2
    hw = homework(demo, "s1_nayami")
    response = post_submission(client, token_for("p01@example.jp"), hw.id, "",
                               [(f"{i}.pdf", PDF) for i in range(3)])
    assert response.status_code == 413
    assert "2個まで" in response.get_json()["error"]["message"]
    assert count(db, Submission) == 0 and uploads(app) == []


def test_whole_request_over_the_limit_is_413_json(client, demo, token_for, app, db):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    hw = homework(demo, "s1_nayami")
    response = post_submission(client, token_for("p01@example.jp"), hw.id, "x",
                               [("a.pdf", PDF + b"0" * 4096)])
    assert response.status_code == 413
    assert response.get_json()["error"]["message"] == "ファイルまたはリクエストが大きすぎます。"
    assert count(db, Submission) == 0 and uploads(app) == []


def test_disguised_and_disallowed_types_are_415(client, demo, token_for, db, app):
    hw = homework(demo, "s1_nayami")
    headers = token_for("p01@example.jp")
    for name, content in [("invoice.pdf", EXE), ("tool.exe", EXE), ("a.docx", ooxml("xl/")),
                          ("b.xlsx", b"PK\x03\x04not a zip"), ("c.png", PDF),
                          ("d.doc", PDF), ("page.html", b"<script>")]:
        response = post_submission(client, headers, hw.id, "本文", [(name, content)])
        assert response.status_code == 415, name
        assert response.get_json()["error"]["code"] == "unsupported_type"
    assert count(db, Submission) == 0 and uploads(app) == []
    ok = post_submission(client, headers, hw.id, "", [
        ("a.docx", ooxml("word/")), ("b.xlsx", ooxml("xl/")), ("c.pptx", ooxml("ppt/")),
        ("d.doc", OLE2), ("e.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 8)])
    assert ok.status_code == 201
    types = [f.content_type for f in db.session.scalars(select(SubmissionFile))]
    assert types[0].endswith("wordprocessingml.document") and types[3] == "application/msword"
    assert types[4] == "image/jpeg"


def test_path_like_names_are_neutralised(client, demo, token_for, app):
    hw = homework(demo, "s1_nayami")
    # A browser quotes the name, escaping backslashes (RFC 7578); the test client does not.
    sub = post_submission(client, token_for("p01@example.jp"), hw.id, "", [
        ("../../etc/passwd.pdf", PDF), ("C:\\\\x\\\\y.pdf", PDF),
        ("..\\\\..\\\\.pdf", PDF)]).get_json()
    assert [f["name"] for f in sub["files"]] == ["passwd.pdf", "y.pdf", "添付ファイル.pdf"]
    stored = uploads(app)
    assert len(stored) == 3 and all(len(n) == 32 and "." not in n for n in stored)
    assert not os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], "..", "passwd.pdf"))


def test_empty_submission_is_422(client, demo, token_for, db):
    hw = homework(demo, "s1_nayami")
    response = post_submission(client, token_for("p01@example.jp"), hw.id, "  \n ")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "empty"
    assert count(db, Submission) == 0


def test_closed_homework_refuses_and_keeps_the_draft(client, demo, token_for, db):
    hw = homework(demo, "s1_nayami")
    headers = token_for("p01@example.jp")
    assert client.put(f"/api/v1/homework/{hw.id}/draft", json={"body": "書きかけ", "revision": 0},
                      headers=headers).status_code == 200
    hw.late_policy, hw.due_at = "close", utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = post_submission(client, headers, hw.id, "書きかけ", [("a.pdf", PDF)])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "closed" and "締め切りました" in error["message"]
    assert count(db, Submission) == 0
    assert client.get(f"/api/v1/homework/{hw.id}/draft", headers=headers).get_json()["body"] \
        == "書きかけ"


def test_on_time_is_not_late(client, demo, token_for):
    hw = homework(demo, "s3_case")  # session 3 is next week
    sub = post_submission(client, token_for("p01@example.jp"), hw.id, "事例").get_json()
    assert sub["late"] is False


def test_staff_cannot_submit(client, demo, token_for):
    hw = homework(demo, "s1_nayami")
    response = post_submission(client, token_for("trainer1@example.jp"), hw.id, "x")
    assert response.status_code == 403


def test_outsider_sees_no_homework(client, demo, token_for, make_cohort, make_user):
    make_cohort()  # organised by org2@example.jp, who is staff there and not here
    make_user("stranger@example.jp")
    hw = homework(demo, "s1_nayami")
    sub = post_submission(client, token_for("p01@example.jp"), hw.id, "", [("a.pdf", PDF)])
    sub = sub.get_json()
    for email in ("stranger@example.jp", "org2@example.jp"):
        headers = token_for(email)
        assert client.get(f"/api/v1/submissions/{sub['id']}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/files/{sub['files'][0]['id']}",
                          headers=headers).status_code == 404
        assert client.put(f"/api/v1/submissions/{sub['id']}/review", json={"status": "ok"},
                          headers=headers).status_code == 404
    headers = token_for("stranger@example.jp")
    assert post_submission(client, headers, hw.id, "x").status_code == 404
    assert client.get(f"/api/v1/homework/{hw.id}/draft", headers=headers).status_code == 404
    assert client.get("/api/v1/cohorts/tokyo-dx-2021/homework",
                      headers=headers).status_code == 404


def test_shared_draft_and_stale_revision(client, demo, token_for, db):
    hw = homework(demo, "s1_hearing")
    p01, p02 = token_for("p01@example.jp"), token_for("p02@example.jp")
    url = f"/api/v1/homework/{hw.id}/draft"
    assert client.get(url, headers=p01).get_json() == {
        "body": "", "revision": 0, "updated_at": None, "updated_by": None}
    saved = client.put(url, json={"body": "第一稿", "revision": 0}, headers=p01).get_json()
    assert saved["revision"] == 1
    # The colleague sees and continues the same draft.
    seen = client.get(url, headers=p02).get_json()
    assert seen["body"] == "第一稿" and seen["revision"] == 1
    assert client.put(url, json={"body": "第二稿", "revision": 1},
                      headers=p02).get_json()["revision"] == 2
    # p01 still holds revision 1: refused with the current draft, nothing overwritten.
    stale = client.put(url, json={"body": "古い続き", "revision": 1}, headers=p01)
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_revision"
    assert error["draft"]["body"] == "第二稿" and error["draft"]["revision"] == 2
    assert db.session.scalar(select(HomeworkDraft.body_md)) == "第二稿"
    # A first save racing an existing draft is stale too.
    assert client.put(url, json={"body": "x", "revision": 0}, headers=p01).status_code == 409
    # Other municipality, other team, anonymous.
    _mate, outsider = teammate_and_outsider(demo, "p01@example.jp")
    assert client.get(url, headers=token_for("p03@example.jp")).get_json()["body"] == ""
    assert client.get(url, headers=token_for(outsider)).get_json()["revision"] == 0
    assert client.get(url).status_code == 401
    assert client.put(url, json={"body": "x", "revision": 0}).status_code == 401
    # Staff have no draft of their own.
    assert client.get(url, headers=token_for("trainer1@example.jp")).status_code == 403


def test_draft_bad_input(client, demo, token_for):
    hw = homework(demo, "s1_nayami")
    url, headers = f"/api/v1/homework/{hw.id}/draft", token_for("p01@example.jp")
    assert client.put(url, data="x", headers=headers).status_code == 400
    assert client.put(url, json={"body": "x"}, headers=headers).status_code == 400
    assert client.put(url, json={"body": 3, "revision": 0}, headers=headers).status_code == 400
    too_long = client.put(url, json={"body": "あ" * 50_001, "revision": 0}, headers=headers)
    assert too_long.status_code == 422


def test_review_shows_at_once_to_the_sharers(client, demo, token_for):
    hw = homework(demo, "s1_hearing")
    sub = post_submission(client, token_for("p01@example.jp"), hw.id, "初版").get_json()
    url = f"/api/v1/submissions/{sub['id']}/review"
    body = {"status": "revise", "feedback": "数字の**出典**を書いてください"}
    assert client.put(url, json=body, headers=token_for("p02@example.jp")).status_code == 403
    assert client.put(url, json=body, headers=token_for("p03@example.jp")).status_code == 404
    assert client.put(url, json={"status": "maybe"},
                      headers=token_for("trainer1@example.jp")).status_code == 422
    saved = client.put(url, json=body, headers=token_for("trainer1@example.jp"))
    assert saved.status_code == 200
    seen = client.get(f"/api/v1/submissions/{sub['id']}",
                      headers=token_for("p02@example.jp")).get_json()
    assert seen["review"]["status"] == "revise" and seen["review"]["label"] == "要修正"
    assert "<strong>出典</strong>" in seen["review"]["feedback_html"]


def test_openapi_lists_homework_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/cohorts/{slug}/homework", "/homework/{homework_id}/submissions",
                 "/homework/{homework_id}/draft", "/submissions/{submission_id}",
                 "/files/{file_id}", "/submissions/{submission_id}/review"):
        assert path in paths, path


def test_openapi_documents_the_multipart_submission_body(client):
    """A client generated from openapi.json knows a submission is multipart with files."""
    op = client.get("/api/v1/openapi.json").get_json()["paths"][
        "/homework/{homework_id}/submissions"]["post"]
    schema = op["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(schema["properties"]) == {"body", "files", "client_submission_id"}
    assert schema["properties"]["files"]["items"]["format"] == "binary"
