"""The personal to-do on the dashboard, per role, from the demo data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.cohorts.services import enrol, ensure_user
from lms.dashboard.todo import TodoItem, register_todo_source, todo_for
from lms.db import utcnow
from lms.homework.models import Homework, Submission
from tests.homework.helpers import membership

SLUG = "tokyo-dx-2021"


def _todo_html(client) -> str:
    page = client.get("/").get_data(as_text=True)
    start = page.index("やること")
    return page[start:page.index("</ul>", start)]


def test_todo_participant_overdue_stays_and_catchup_is_listed(demo, db, login_as):
    todo = todo_for(membership(demo, "p01@example.jp"), None, SLUG)
    kinds = [i.kind for i in todo.items]
    assert "overdue" in kinds and "catchup" in kinds and "upcoming" in kinds
    assert all(i.urgent for i in todo.items if i.kind == "overdue")
    # Long after every deadline, unsubmitted work is still there (never drops off).
    later = todo_for(membership(demo, "p01@example.jp"), None, SLUG,
                     now=utcnow() + timedelta(days=120))
    assert len([i for i in later.items if i.kind == "overdue"]) >= len(
        [i for i in todo.items if i.kind == "overdue"])
    html = _todo_html(login_as("p01@example.jp"))
    assert "期限切れ" in html and "未提出" in html and "急ぎ" in html
    assert "第2回「業務を見える化する」のキャッチアップ" in html
    assert f'/c/{SLUG}/sessions/2#catchup' in html


def test_todo_participant_revise_first(demo, db, login_as):
    html = _todo_html(login_as("p03@example.jp"))
    assert "講師より：要修正" in html
    assert html.index("再提出") < html.index("期限切れ")


def test_todo_submitted_work_leaves_the_todo(demo, db):
    m = membership(demo, "p01@example.jp")
    before = todo_for(m, None, SLUG)
    overdue = next(i for i in before.items if i.kind == "overdue")
    hw_id = int(overdue.url.rsplit("/", 1)[1])
    from lms.homework.services import submit_homework

    submit_homework(db.session.get(Homework, hw_id), m, m.user, body="遅れて提出", uploads=[],
                    client_submission_id=None, upload_folder="/nonexistent", max_mb=1,
                    max_files=1)
    db.session.commit()
    after = todo_for(m, None, SLUG)
    assert overdue.url not in [i.url for i in after.items]


def test_todo_trainer_needs_feedback_oldest_first_and_quiet_teams(demo, db, login_as):
    todo = todo_for(membership(demo, "trainer1@example.jp"), None, SLUG)
    waiting = db.session.scalars(select(Submission).where(
        Submission.review_status.is_(None))).all()
    assert todo.summary == f"要講評 {len(waiting)}件" and waiting
    reviews = [i for i in todo.items if i.kind == "review"]
    assert len(reviews) == min(5, len(waiting))
    oldest = min(waiting, key=lambda s: (s.submitted_at, s.id))
    assert reviews[0].url == f"/c/{SLUG}/submissions/{oldest.id}"
    assert any(i.kind == "quiet_team" and "静かなチーム 5つ" in i.label for i in todo.items)
    html = _todo_html(login_as("trainer1@example.jp"))
    assert f"要講評 {len(waiting)}件" in html


def test_todo_organizer_invitations_not_accepted(demo, db, login_as):
    organizer = membership(demo, "organizer@example.jp")
    assert not [i for i in todo_for(organizer, None, SLUG).items if i.kind == "invite"]
    enrol(demo, ensure_user("new1@example.jp", "新人 一号"), "participant",
          membership(demo, "p01@example.jp").municipality_code)
    enrol(demo, ensure_user("new2@example.jp", "新人 二号"), "participant",
          membership(demo, "p01@example.jp").municipality_code)
    db.session.commit()
    [item] = [i for i in todo_for(organizer, None, SLUG).items if i.kind == "invite"]
    assert item.label == "招待を受けていない人が2人います"
    assert item.url == f"/c/{SLUG}/enrolment"
    assert "招待を受けていない人が2人います" in _todo_html(login_as("organizer@example.jp"))
    # Trainers do not get the organizer's task.
    trainer = todo_for(membership(demo, "trainer1@example.jp"), None, SLUG)
    assert not [i for i in trainer.items if i.kind == "invite"]


def test_todo_extension_point_for_later_features(demo, db):
    def surveys(m, team_id, now):
        return [TodoItem("survey", "第2回アンケートに回答する", f"/c/{SLUG}/surveys/2")]

    register_todo_source(surveys)
    register_todo_source(surveys)  # registering twice adds it once
    items = todo_for(membership(demo, "p01@example.jp"), None, SLUG).items
    assert [i.label for i in items].count("第2回アンケートに回答する") == 1
    from lms.dashboard import todo

    todo._sources.remove(surveys)
