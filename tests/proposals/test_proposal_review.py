"""Trainers' review of proposals: comments, rubric, decision, release, publishing, Word."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from docx import Document
from sqlalchemy import func, select, update

from lms.db import utcnow
from lms.proposals.models import ProposalComment
from lms.proposals.signals import (
    proposal_commented,
    proposal_review_released,
    proposal_submitted,
)
from lms.sessions.models import WorkshopSession


def submitted_proposal(client, headers) -> int:
    [mine] = client.get("/api/v1/cohorts/tokyo-dx-2021/proposals", headers=headers).get_json()
    client.put(f"/api/v1/proposals/{mine['id']}", headers=headers, json={
        "revision": 0, "sections": {"background": "窓口の待ち時間が平均40分。",
                                    "vision_goal": "電子申請を導入する。"}})
    assert client.post(f"/api/v1/proposals/{mine['id']}/submit",
                       headers=headers).status_code == 200
    return mine["id"]


@pytest.fixture
def sent():
    """Signals sent during the test: (name, sender, kwargs)."""
    seen = []
    handlers = []
    for signal in (proposal_submitted, proposal_commented, proposal_review_released):
        def handler(sender, _name=signal.name, **kwargs):
            seen.append((_name, sender, kwargs))
        handlers.append(handler)
        signal.connect(handler)
    yield seen
    for signal, handler in zip((proposal_submitted, proposal_commented,
                                proposal_review_released), handlers, strict=True):
        signal.disconnect(handler)


def test_proposal_review_invisible_before_release(client, demo, people, token_for, sent):
    me, trainer = token_for(people.member), token_for(people.trainer)
    pid = submitted_proposal(client, me)
    comment = client.post(f"/api/v1/proposals/{pid}/comments", headers=trainer,
                          json={"section": "vision_goal", "body": "これは**手段**です。"})
    assert comment.status_code == 201
    assert comment.get_json()["released"] is False
    assert "<strong>手段</strong>" in comment.get_json()["body_html"]
    reply = client.post(f"/api/v1/proposals/{pid}/comments", headers=trainer, json={
        "section": "vision_goal", "body": "成果で書き直しましょう", "parent_id":
        comment.get_json()["id"]})
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == comment.get_json()["id"]
    review = client.put(f"/api/v1/proposals/{pid}/review", headers=trainer, json={
        "scores": {"problem": 4, "goal": 1}, "decision": "changes_requested",
        "release": False})
    assert review.status_code == 200
    assert review.get_json()["review"]["decision"] == "changes_requested"
    # The team sees nothing yet: no review, no comments, status still 提出済.
    body = client.get(f"/api/v1/proposals/{pid}", headers=me).get_json()
    assert body["review"] is None and body["status"] == "submitted"
    assert client.get(f"/api/v1/proposals/{pid}/comments", headers=me).get_json() == []
    assert [name for name, _s, kw in sent if name == "proposal-commented"
            and kw["audience"] == "team"] == []
    # Released: everything at once.
    released = client.put(f"/api/v1/proposals/{pid}/review", headers=trainer,
                          json={"release": True})
    assert released.status_code == 200
    body = client.get(f"/api/v1/proposals/{pid}", headers=me).get_json()
    assert body["status"] == "changes_requested"
    assert body["review"]["decision"] == "changes_requested"
    assert body["review"]["scores"] == {"problem": 4, "goal": 1}
    assert body["review"]["released_at"]
    comments = client.get(f"/api/v1/proposals/{pid}/comments", headers=me).get_json()
    assert [c["body"] for c in comments] == ["これは**手段**です。", "成果で書き直しましょう"]
    assert [name for name, *_ in sent] == ["proposal-submitted", "proposal-commented",
                                           "proposal-commented", "proposal-review-released"]
    # Working changes after the release stay with the trainers until the next release.
    client.put(f"/api/v1/proposals/{pid}/review", headers=trainer,
               json={"scores": {"problem": 5, "goal": 2}})
    assert client.get(f"/api/v1/proposals/{pid}", headers=me).get_json()["review"]["scores"] \
        == {"problem": 4, "goal": 1}


def test_proposal_team_replies_to_released_comment_and_resolves(client, demo, people,
                                                                token_for):
    me, trainer = token_for(people.member), token_for(people.trainer)
    pid = submitted_proposal(client, me)
    root = client.post(f"/api/v1/proposals/{pid}/comments", headers=trainer,
                       json={"section": "background", "body": "根拠の数字は？"}).get_json()
    # Before release the team cannot reply to (or know of) the comment.
    early = client.post(f"/api/v1/proposals/{pid}/comments", headers=me,
                        json={"section": "background", "body": "x", "parent_id": root["id"]})
    assert early.status_code == 404
    client.put(f"/api/v1/proposals/{pid}/review", headers=trainer,
               json={"decision": "changes_requested", "release": True})
    reply = client.post(f"/api/v1/proposals/{pid}/comments", headers=me, json={
        "section": "background", "body": "業務統計（令和4年度）です。", "parent_id": root["id"]})
    assert reply.status_code == 201 and reply.get_json()["released"] is True
    resolved = client.post(f"/api/v1/proposals/{pid}/comments/{root['id']}/resolve",
                           headers=trainer, json={"resolved": True})
    assert resolved.status_code == 200 and resolved.get_json()["resolved"] is True


def test_proposal_participants_cannot_comment_score_or_release(client, demo, people,
                                                               token_for, db):
    me = token_for(people.member)
    pid = submitted_proposal(client, me)
    comment = client.post(f"/api/v1/proposals/{pid}/comments", headers=me,
                          json={"section": "background", "body": "自分でコメント"})
    assert comment.status_code == 403
    for payload in ({"scores": {"problem": 5}}, {"decision": "approved", "release": True}):
        response = client.put(f"/api/v1/proposals/{pid}/review", headers=me, json=payload)
        assert response.status_code == 403
        assert "講師" in response.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(ProposalComment)) == 0
    body = client.get(f"/api/v1/proposals/{pid}", headers=me).get_json()
    assert body["review"] is None and body["status"] == "submitted"


def test_proposal_rubric_validation(client, demo, people, token_for):
    me, trainer = token_for(people.member), token_for(people.trainer)
    pid = submitted_proposal(client, me)
    url = f"/api/v1/proposals/{pid}/review"
    cases = [({"scores": {"problem": 6}}, 422, "1〜5"),
             ({"scores": {"problem": 0}}, 422, "1〜5"),
             ({"scores": {"budget": 3}}, 422, "budget"),
             ({"scores": {"problem": "5"}}, 400, "scores.problem"),
             ({"scores": {"problem": 4.5}}, 400, "scores.problem"),
             ({"scores": {"problem": True}}, 400, "scores.problem"),
             ({"scores": [5]}, 400, "scores"),
             ({"decision": "rejected"}, 422, "decision"),
             ({"release": "yes"}, 400, "release"),
             ({"scores": {"problem": 3}, "release": True}, 422, "判定")]
    for payload, status, word in cases:
        response = client.put(url, headers=trainer, json=payload)
        assert response.status_code == status, payload
        assert word in response.get_json()["error"]["message"], payload
    body = client.get(f"/api/v1/proposals/{pid}", headers=trainer).get_json()
    assert body["review"] is None  # nothing half-stored
    ok = client.put(url, headers=trainer, json={"scores": {k: 5 for k in (
        "problem", "goal", "measures", "rollout", "feasibility")}, "decision": "approved",
        "release": True})
    assert ok.status_code == 200 and ok.get_json()["status"] == "approved"


def test_proposal_comment_bad_input(client, demo, people, token_for):
    me, trainer = token_for(people.member), token_for(people.trainer)
    pid = submitted_proposal(client, me)
    url = f"/api/v1/proposals/{pid}/comments"
    assert client.post(url, headers=trainer, json={"section": "nope", "body": "x"}
                       ).status_code == 422
    assert client.post(url, headers=trainer, json={"section": "team", "body": "  "}
                       ).status_code == 422
    assert client.post(url, headers=trainer, json={"section": "team", "body": "あ" * 5001}
                       ).status_code == 422
    assert client.post(url, headers=trainer, json={"section": "team", "body": 1}
                       ).status_code == 400
    assert client.post(url, headers=trainer, json={"section": "team", "body": "x",
                                                   "parent_id": 99999}).status_code == 404


def test_proposal_release_needs_a_submitted_proposal(client, demo, people, token_for):
    me, trainer = token_for(people.member), token_for(people.trainer)
    [mine] = client.get("/api/v1/cohorts/tokyo-dx-2021/proposals", headers=me).get_json()
    response = client.put(f"/api/v1/proposals/{mine['id']}/review", headers=trainer,
                          json={"decision": "approved", "release": True})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "not_submitted"


def test_proposal_resubmit_after_changes_requested(client, demo, people, token_for):
    me, trainer = token_for(people.member), token_for(people.trainer)
    pid = submitted_proposal(client, me)
    client.put(f"/api/v1/proposals/{pid}/review", headers=trainer,
               json={"decision": "changes_requested", "release": True})
    body = client.get(f"/api/v1/proposals/{pid}", headers=me).get_json()
    client.put(f"/api/v1/proposals/{pid}", headers=me, json={
        "revision": body["revision"],
        "sections": {"vision_goal": "令和6年3月までに来庁を半減する。"}})
    again = client.post(f"/api/v1/proposals/{pid}/submit", headers=me)
    assert again.status_code == 200 and again.get_json()["status"] == "submitted"


def test_proposal_publishing_after_final_session(client, demo, people, token_for, db):
    me, other = token_for(people.member), token_for(people.outsider)
    organizer, trainer = token_for(people.organizer), token_for(people.trainer)
    pid = submitted_proposal(client, me)
    client.post(f"/api/v1/proposals/{pid}/comments", headers=trainer,
                json={"section": "background", "body": "チーム内だけの講評"})
    client.put(f"/api/v1/proposals/{pid}/review", headers=trainer,
               json={"scores": {"problem": 3}, "decision": "approved", "release": True})
    publish = "/api/v1/cohorts/tokyo-dx-2021/proposals/publish"
    assert client.post(publish, headers=trainer).status_code == 403
    assert client.post(publish, headers=me).status_code == 403
    early = client.post(publish, headers=organizer)
    assert early.status_code == 422 and "最終回" in early.get_json()["error"]["message"]
    assert client.get(f"/api/v1/proposals/{pid}", headers=other).status_code == 404
    # The final session is over.
    db.session.execute(update(WorkshopSession).values(
        starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    assert client.post(publish, headers=organizer).status_code == 201
    assert client.post(publish, headers=organizer).status_code == 200
    listing = client.get("/api/v1/cohorts/tokyo-dx-2021/proposals", headers=other).get_json()
    assert len(listing) == 5
    theirs = client.get(f"/api/v1/proposals/{pid}", headers=other)
    assert theirs.status_code == 200
    assert theirs.get_json()["sections"][1]["body"] == "窓口の待ち時間が平均40分。"
    assert theirs.get_json()["review"] is None  # the review stays with the team
    assert client.get(f"/api/v1/proposals/{pid}/comments", headers=other).get_json() == []
    assert client.get(f"/api/v1/proposals/{pid}/export.docx", headers=other).status_code == 200
    # Still read-only for them.
    assert client.put(f"/api/v1/proposals/{pid}", headers=other, json={
        "revision": 1, "sections": {"background": "x"}}).status_code == 403


def test_proposal_docx_opens_and_holds_every_section(client, demo, people, token_for):
    me = token_for(people.member)
    [mine] = client.get("/api/v1/cohorts/tokyo-dx-2021/proposals", headers=me).get_json()
    body = client.get(f"/api/v1/proposals/{mine['id']}", headers=me).get_json()
    texts = {s["key"]: f"{s['title']}の本文です。" for s in body["sections"]}
    texts["measures"] = "## 施策の一覧\n- **電子申請**の導入\n- 様式の見直し"
    client.put(f"/api/v1/proposals/{mine['id']}", headers=me,
               json={"revision": 0, "sections": texts})
    response = client.get(f"/api/v1/proposals/{mine['id']}/export.docx", headers=me)
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in document.paragraphs]
    for section in body["sections"]:
        assert any(section["title"] in p for p in paragraphs), section["title"]
    assert "背景と現状の課題の本文です。" in paragraphs
    assert "電子申請の導入" in paragraphs and "施策の一覧" in paragraphs
    header = document.sections[0].header.paragraphs[0].text
    assert "チーム" in header and "世田谷区" in header
