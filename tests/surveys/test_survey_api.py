"""Surveys over the JSON API: the list, one response per person, refusals, results (with
no names for anonymous surveys) and opening and closing."""

from __future__ import annotations

import json

import pytest

SLUG = "tokyo-dx-2021"


@pytest.fixture
def api(client, token_for):
    headers: dict[str, dict] = {}

    def call(email: str, method: str, path: str, **kwargs):
        if email not in headers:
            headers[email] = token_for(email)
        return getattr(client, method)("/api/v1" + path, headers=headers[email], **kwargs)

    return call


@pytest.fixture
def surveys(api, demo):
    return {s["session_number"]: s for s in
            api("p01@example.jp", "get", f"/cohorts/{SLUG}/surveys").get_json()}


GOOD = {"satisfaction": 4, "good": "事例が具体的だった", "improve": "", "request": "録画を早く"}


def test_survey_list_follows_the_course_template(surveys):
    assert sorted(surveys, key=lambda n: n or 99) == [1, 2, 3, 4, 5, None]
    first, second, final = surveys[1], surveys[2], surveys[None]
    assert (first["anonymous"], first["open"]) == (False, False)
    assert (second["anonymous"], second["open"]) == (True, True)
    assert [q["kind"] for q in first["questions"]] == ["rating", "text", "text", "text"]
    assert [q["label"] for q in first["questions"]][1:] == ["良かった点", "改善点", "次回への要望"]
    recommend = next(q for q in final["questions"] if q["kind"] == "choice")
    assert "ぜひ勧めたい" in recommend["choices"] and recommend["required"] is True


def test_survey_one_response_per_person_replaced_until_closed(api, surveys, db):
    from lms.surveys.models import SurveyResponse

    sid = surveys[2]["id"]
    first = api("p01@example.jp", "put", f"/surveys/{sid}/response", json={"answers": GOOD})
    assert first.status_code == 200 and first.get_json()["answers"]["satisfaction"] == 4
    again = api("p01@example.jp", "put", f"/surveys/{sid}/response",
                json={"answers": {**GOOD, "satisfaction": 2}})
    assert again.status_code == 200
    mine = api("p01@example.jp", "get", f"/surveys/{sid}/response").get_json()
    assert mine["answers"]["satisfaction"] == 2 and "improve" not in mine["answers"]
    from lms.auth.services import get_user_by_email

    rows = db.session.query(SurveyResponse).filter_by(
        survey_id=sid, user_id=get_user_by_email("p01@example.jp").id).count()
    assert rows == 1
    assert api("organizer@example.jp", "post", f"/surveys/{sid}/close").status_code == 200
    closed = api("p01@example.jp", "put", f"/surveys/{sid}/response", json={"answers": GOOD})
    assert closed.status_code == 422 and closed.get_json()["error"]["code"] == "closed"
    assert api("p01@example.jp", "get", f"/surveys/{sid}/response").get_json()[
        "answers"]["satisfaction"] == 2


@pytest.mark.parametrize(("answers", "status", "code"), [
    ({**GOOD, "satisfaction": 6}, 422, "out_of_range"),
    ({**GOOD, "satisfaction": 0}, 422, "out_of_range"),
    ({**GOOD, "satisfaction": "5"}, 400, "bad_request"),
    ({**GOOD, "satisfaction": True}, 400, "bad_request"),
    ({"good": "満足度なし"}, 422, "required"),
    ({**GOOD, "nope": "x"}, 422, "unknown_question"),
    ({**GOOD, "good": "あ" * 2001}, 422, "invalid"),
    ({**GOOD, "good": 3}, 400, "bad_request"),
    ({**GOOD, "good": "NUL\x00"}, 422, "invalid"),
    ({**GOOD, "good": "lone \ud800"}, 422, "invalid"),
    ("not an object", 400, "bad_request"),
])
def test_survey_answer_refusals_store_nothing(api, surveys, answers, status, code):
    sid = surveys[2]["id"]
    response = api("p01@example.jp", "put", f"/surveys/{sid}/response",
                   json={"answers": answers})
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]
    assert api("p01@example.jp", "get", f"/surveys/{sid}/response").get_json()[
        "answered"] is False


def test_survey_not_open_or_not_for_staff(api, surveys, make_cohort):
    assert api("p01@example.jp", "put", f"/surveys/{surveys[3]['id']}/response",
               json={"answers": GOOD}).status_code == 422
    assert api("trainer1@example.jp", "put", f"/surveys/{surveys[2]['id']}/response",
               json={"answers": GOOD}).status_code == 403
    make_cohort()
    assert api("org2@example.jp", "get", f"/surveys/{surveys[2]['id']}/results") \
        .status_code == 404
    assert api("p01@example.jp", "put", "/surveys/999999/response",
               json={"answers": GOOD}).status_code == 404


def test_survey_results_for_staff_with_counts_and_texts(api, surveys):
    sid = surveys[1]["id"]
    assert api("p01@example.jp", "get", f"/surveys/{sid}/results").status_code == 403
    results = api("trainer1@example.jp", "get", f"/surveys/{sid}/results").get_json()
    assert results["responses"] == 42
    rating = results["questions"][0]
    assert set(rating["counts"]) == {"1", "2", "3", "4", "5"}
    assert sum(rating["counts"].values()) == 42
    assert "他の自治体の状況を具体的な数字で聞けた" in results["questions"][1]["answers"]


def test_survey_anonymous_results_carry_no_name_email_or_user_id(api, surveys, db):
    from lms.auth.models import User
    from lms.surveys.models import SurveyResponse

    sid = surveys[2]["id"]
    api("p01@example.jp", "put", f"/surveys/{sid}/response", json={"answers": GOOD})
    body = api("organizer@example.jp", "get", f"/surveys/{sid}/results").get_data(as_text=True)
    answered = db.session.query(User).join(
        SurveyResponse, SurveyResponse.user_id == User.id).filter(
        SurveyResponse.survey_id == sid).all()
    assert len(answered) == 25
    data = json.loads(body)
    assert set(data) == {"id", "title", "session_number", "anonymous", "responses",
                         "questions"}
    for user in answered:
        assert user.name not in body and user.email not in body
        assert '"user_id"' not in body
    assert all(set(q) <= {"id", "label", "kind", "counts", "answers"}
               for q in data["questions"])


def test_survey_open_and_close_by_staff_only(api, surveys):
    sid = surveys[3]["id"]
    assert api("p01@example.jp", "post", f"/surveys/{sid}/open").status_code == 403
    opened = api("trainer1@example.jp", "post", f"/surveys/{sid}/open")
    assert opened.status_code == 200 and opened.get_json()["open"] is True
    assert api("p01@example.jp", "put", f"/surveys/{sid}/response",
               json={"answers": GOOD}).status_code == 200


def test_survey_opened_signal_is_sent(api, surveys):
    from lms.surveys.signals import survey_opened

    seen = []

    def record(sender, **kwargs):
        seen.append((sender.id, kwargs["actor"].email))

    survey_opened.connect(record)
    try:
        api("trainer1@example.jp", "post", f"/surveys/{surveys[4]['id']}/open")
    finally:
        survey_opened.disconnect(record)
    assert seen == [(surveys[4]["id"], "trainer1@example.jp")]
