"""Trainers correct the goal checker: 「判定が違う」, the trainer's word, the count, the export."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from lms.goals import check_goal
from tests.conftest import login

SLUG = "tokyo-dx-2021"
TEXT = "市内の空き店舗の数を減らす"


def _correct(client, headers, **body):
    payload = {"text": TEXT, "label": "outcome", "note": "空き店舗は地域の状態です。",
               "cohort": SLUG}
    payload.update(body)
    return client.post("/api/v1/goals/corrections", json=payload, headers=headers)


def test_a_trainer_marks_a_verdict_wrong_and_it_is_stored_with_the_text(client, db, demo,
                                                                         token_for):
    from lms.goals_web.models import GoalCorrection

    response = _correct(client, token_for("trainer1@example.jp"), label="means",
                        text="市内の空き店舗の数を減らす\u3000")
    assert response.status_code == 201
    body = response.get_json()
    assert body["label"] == "means" and body["label_ja"].startswith("手段")
    assert body["note"] == "空き店舗は地域の状態です。"
    assert body["checker_verdict"] == check_goal(TEXT).verdict
    stored = db.session.scalar(select(GoalCorrection).where(GoalCorrection.text == TEXT))
    assert stored.text == TEXT  # normalised as the checker sees it
    assert stored.trainer.email == "trainer1@example.jp"
    assert stored.cohort_id == demo.id


def test_participants_may_not_correct(client, demo, token_for):
    response = _correct(client, token_for("p01@example.jp"))
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == "判定の訂正は講師・主催者だけができます。"


def test_corrections_refuse_bad_input(client, demo, token_for):
    headers = token_for("trainer1@example.jp")
    assert _correct(client, headers, label="maybe").status_code == 422
    assert _correct(client, headers, note="x" * 1001).status_code == 422
    assert _correct(client, headers, note="a\x00b").status_code == 422
    assert _correct(client, headers, text="").status_code == 422
    assert _correct(client, headers, text="あ" * 2001).status_code == 422
    assert client.post("/api/v1/goals/corrections", json={"text": TEXT},
                       headers=headers).status_code == 400
    assert client.post("/api/v1/goals/corrections", data="x",
                       headers=headers).status_code == 400
    assert _correct(client, headers, cohort="no-such-cohort").status_code == 404
    assert client.post("/api/v1/goals/corrections",
                       json={"text": TEXT, "label": "outcome"}).status_code == 401


def test_the_team_sees_the_trainers_word_and_other_cohorts_do_not(
        client, db, demo, token_for, make_cohort, make_user):
    from lms.cohorts.services import enrol

    _correct(client, token_for("trainer1@example.jp"))
    seen = client.post("/api/v1/goals/explain", json={"text": TEXT, "cohort": SLUG},
                       headers=token_for("p01@example.jp"))
    assert seen.status_code == 200
    body = seen.get_json()
    assert body["can_correct"] is False
    [word] = body["corrections"]
    assert word["label"] == "outcome"
    assert word["note"] == "空き店舗は地域の状態です。"
    assert word["trainer"]

    other = make_cohort()
    stranger = make_user("stranger@example.jp")
    enrol(other, stranger, "participant")
    db.session.commit()
    hidden = client.post("/api/v1/goals/explain", json={"text": TEXT},
                         headers=token_for("stranger@example.jp")).get_json()
    assert hidden["corrections"] == []
    assert client.post("/api/v1/goals/explain", json={"text": TEXT, "cohort": SLUG},
                       headers=token_for("stranger@example.jp")).status_code == 404


def test_explain_places_the_goal_on_the_logic_model_with_its_words(client, demo, token_for):
    body = client.post("/api/v1/goals/explain",
                       json={"text": "RPAを入れて、月末の集計が半日で終わるようにする"},
                       headers=token_for("trainer1@example.jp")).get_json()
    levels = ["活動", "アウトプット", "アウトカム", "インパクト"]
    assert [r["level"] for r in body["ladder"]] == levels
    assert body["level"] == "アウトカム" and body["verdict"] == "outcome"
    rungs = {r["level"]: r for r in body["ladder"]}
    assert rungs["アウトカム"]["current"] and not rungs["活動"]["current"]
    assert any("RPA" in w for w in rungs["活動"]["words"])
    assert any("半日" in w for w in rungs["アウトカム"]["words"])
    assert body["can_correct"] is True  # a trainer of some cohort, on the open page


def test_export_round_trips_into_the_dev_sets_format(app, client, demo, token_for, tmp_path):
    headers = token_for("trainer1@example.jp")
    _correct(client, headers, label="means", note="古い訂正")
    _correct(client, headers, label="outcome", note="住民側の\t数です\n（改行あり）")
    _correct(client, headers, text="1行目の目標\n窓口の待ち時間を半減する", label="outcome",
             note="", cohort=None)
    out = tmp_path / "corrections.tsv"
    result = app.test_cli_runner().invoke(
        args=["lms", "goals", "export-corrections", "--output", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    dev_columns = open("tests/goals/data/goals_dev.tsv", encoding="utf-8").readline().rstrip("\n")
    assert list(rows[0]) == dev_columns.split("\t")
    mine = (TEXT, "1行目の目標。窓口の待ち時間を半減する")
    demo_rows = [r for r in rows if r["text"] not in mine]
    assert len(rows) - len(demo_rows) == 2  # one row per text: the newest correction wins
    by_text = {r["text"]: r for r in rows}
    assert by_text[TEXT]["label"] == "outcome"
    assert by_text[TEXT]["note"] == "住民側の 数です （改行あり）"
    assert by_text[TEXT]["origin"] == "trainer"
    assert SLUG in by_text[TEXT]["source"]
    assert "1行目の目標。窓口の待ち時間を半減する" in by_text
    # The exported rows can be scored like the dev set.
    for r in rows:
        assert check_goal(r["text"]).verdict in ("means", "outcome", "unclear")
    stdout = app.test_cli_runner().invoke(args=["lms", "goals", "export-corrections"])
    assert list(csv.DictReader(io.StringIO(stdout.output), delimiter="\t",
                               quoting=csv.QUOTE_NONE)) == rows


def test_the_checker_page_counts_corrections_for_staff_only(app, client, db, demo, token_for):
    from sqlalchemy import func

    from lms.goals_web.models import GoalCorrection

    before = db.session.scalar(select(func.count(GoalCorrection.id)))
    _correct(client, token_for("trainer1@example.jp"))
    login(client, "trainer2@example.jp")
    page = client.get("/goals").get_data(as_text=True)
    assert "講師による判定の訂正" in page
    assert f">{before + 1}件<" in page
    assert TEXT in page
    participant = app.test_client()
    login(participant, "p01@example.jp")
    page = participant.get("/goals").get_data(as_text=True)
    assert "講師による判定の訂正" not in page


def test_staff_reading_a_goal_submission_get_the_panel_with_correction(app, login_as, db,
                                                                         demo, tmp_path):
    from lms.cohorts.models import Membership
    from lms.homework.models import Homework
    from lms.homework.services import submit_homework

    goal_hw = db.session.scalar(select(Homework).where(Homework.cohort_id == demo.id,
                                                       Homework.key == "s1_charter"))
    member = db.session.scalar(select(Membership).where(Membership.cohort_id == demo.id,
                                                        Membership.role == "participant"))
    sub, _ = submit_homework(goal_hw, member, member.user, body="電子申請をする", uploads=[],
                             client_submission_id=None, upload_folder=str(tmp_path),
                             max_mb=5, max_files=3,
                             now=goal_hw.due_at)
    db.session.commit()
    client = login_as("trainer1@example.jp")
    page = client.get(f"/c/{SLUG}/submissions/{sub.id}").get_data(as_text=True)
    assert f'data-goal-checker="goal-sub-{sub.id}"' in page
    assert f'data-cohort="{SLUG}"' in page
    assert "電子申請をする</textarea>" in page
    assert "判定が違う" in page
    assert "js/goal-checker.js" in page
