"""Each event notifies exactly the right people once, and never the one who acted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.services import get_user_by_email
from lms.db import utcnow
from lms.homework import services
from lms.homework.notify import send_due_reminders
from lms.sessions.models import WorkshopSession
from lms.timefmt import to_tokyo
from tests.conftest import csrf_from
from tests.homework.helpers import homework, membership, teammate_and_outsider
from tests.notifications.helpers import SLUG, count, notes_of, recipients

PARTICIPANTS = {f"p{n:02d}@example.jp" for n in range(1, 51)}
EVERYONE = PARTICIPANTS | {"organizer@example.jp", "trainer1@example.jp", "trainer2@example.jp"}


def submit_as(db, cohort, email, hw, body="提出します"):
    m = membership(cohort, email)
    sub, _ = services.submit_homework(hw, m, m.user, body=body, uploads=[],
                                      client_submission_id=None, upload_folder="/nonexistent",
                                      max_mb=1, max_files=1)
    db.session.commit()
    return sub


def test_notif_new_homework_reaches_every_participant_not_staff(client, demo, token_for):
    created = client.post(f"/api/v1/cohorts/{SLUG}/homework", headers=token_for(
        "trainer1@example.jp"), json={
        "session_number": 3, "title": "KPIの候補を出す", "kind": "municipality",
        "instructions": "3つ", "due_at": "2030-05-01T17:00:00+09:00", "late_policy": "accept"})
    assert created.status_code == 201
    assert recipients("homework_new") == PARTICIPANTS
    assert count("homework_new") == 50
    note = notes_of("p07@example.jp", "homework_new")[0]
    assert "KPIの候補を出す" in note.text and "第3回" in note.text
    assert note.url == f"/c/{SLUG}/homework/{created.get_json()['id']}"


def test_notif_feedback_reaches_those_who_share_the_work(client, demo, db, token_for):
    hw = homework(demo, "s1_hearing")  # one per municipality: p01 and p02 share it
    sub = submit_as(db, demo, "p01@example.jp", hw)
    response = client.put(f"/api/v1/submissions/{sub.id}/review", headers=token_for(
        "trainer1@example.jp"), json={"status": "revise", "feedback": "現状値を足してください"})
    assert response.status_code == 200
    assert recipients("feedback") == {"p01@example.jp", "p02@example.jp"}
    note = notes_of("p02@example.jp", "feedback")[0]
    assert "要修正" in note.text and note.url == f"/c/{SLUG}/submissions/{sub.id}"
    # Rewording the same verdict does not notify again; a new verdict does.
    client.put(f"/api/v1/submissions/{sub.id}/review", headers=token_for("trainer1@example.jp"),
               json={"status": "revise", "feedback": "現状値を足してください（例あり）"})
    assert count("feedback") == 2
    client.put(f"/api/v1/submissions/{sub.id}/review", headers=token_for("trainer1@example.jp"),
               json={"status": "ok", "feedback": "確認しました"})
    assert count("feedback") == 4


def test_notif_feedback_on_individual_and_team_work(client, demo, db, token_for):
    mine = submit_as(db, demo, "p01@example.jp", homework(demo, "s1_nayami"))
    team = submit_as(db, demo, "p01@example.jp", homework(demo, "s1_charter"))
    headers = token_for("trainer2@example.jp")
    client.put(f"/api/v1/submissions/{mine.id}/review", headers=headers, json={"status": "ok"})
    assert recipients("feedback") == {"p01@example.jp"}
    client.put(f"/api/v1/submissions/{team.id}/review", headers=headers, json={"status": "ok"})
    mate, outsider = teammate_and_outsider(demo, "p01@example.jp")
    assert mate in recipients("feedback") and outsider not in recipients("feedback")
    assert len(recipients("feedback")) == 10  # 5 municipalities × 2 people
    assert "trainer2@example.jp" not in recipients("feedback")


def _room_post(client, headers, channel_id, body, parent_id=None):
    response = client.post(f"/api/v1/channels/{channel_id}/messages", headers=headers,
                           json={"body": body, "parent_id": parent_id})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_notif_mention_reply_and_never_oneself(client, demo, db, token_for):
    from lms.channels.models import Channel

    worries = db.session.scalar(select(Channel).where(Channel.cohort_id == demo.id,
                                                      Channel.name == "DXの悩みごと"))
    p02 = get_user_by_email("p02@example.jp")
    me = token_for("p01@example.jp")
    post = _room_post(client, me, worries.id,
                      f"@{p02.name.replace(' ', '')} さん、窓口の件どうでしたか。@p01 自分も")
    assert recipients("mention") == {"p02@example.jp"}
    mention = notes_of("p02@example.jp", "mention")[0]
    assert "DXの悩みごと" in mention.text and mention.url.endswith(f"#m-{post['id']}")
    # A reply tells the parent's author, not the replier.
    reply = _room_post(client, token_for("p03@example.jp"), worries.id, "うちも同じです",
                       parent_id=post["id"])
    assert recipients("reply") == {"p01@example.jp"}
    assert notes_of("p01@example.jp", "reply")[0].url == (
        f"/c/{SLUG}/channels/{worries.id}/threads/{post['id']}#m-{reply['id']}")
    # Replying to oneself notifies no one; a reply that also mentions the author: one note.
    _room_post(client, me, worries.id, "補足です", parent_id=post["id"])
    _room_post(client, token_for("p04@example.jp"), worries.id, "@p01 詳しく教えてください",
               parent_id=post["id"])
    assert len(notes_of("p01@example.jp", "reply")) == 1
    assert len(notes_of("p01@example.jp", "mention")) == 1


def test_notif_edit_adds_only_new_mentions(client, demo, db, token_for):
    from lms.channels.models import Channel

    worries = db.session.scalar(select(Channel).where(Channel.cohort_id == demo.id,
                                                      Channel.name == "DXの悩みごと"))
    me = token_for("p01@example.jp")
    post = _room_post(client, me, worries.id, "@p02 確認お願いします")
    edited = client.patch(f"/api/v1/messages/{post['id']}", headers=me,
                          json={"body": "@p02 @p05 確認お願いします"})
    assert edited.status_code == 200, edited.get_json()
    assert recipients("mention") == {"p02@example.jp", "p05@example.jp"}
    assert count("mention") == 2


def test_notif_mention_in_a_team_room_reaches_only_its_readers(client, demo, db, token_for):
    from lms.channels.access import readable_channels

    room = next(c for c in readable_channels(membership(demo, "p01@example.jp"))
                if c.kind == "team")
    _mate, outsider = teammate_and_outsider(demo, "p01@example.jp")
    _room_post(client, token_for("p01@example.jp"), room.id,
               f"@{outsider.split('@')[0]} 見えますか")
    assert count("mention") == 0


def _session_form(page: str, **changes) -> dict:
    ws = changes.pop("ws")
    start = to_tokyo(ws.starts_at)
    data = {"csrf_token": csrf_from(page), "title": ws.title, "date": start.date().isoformat(),
            "start_time": start.strftime("%H:%M"), "end_time": to_tokyo(ws.ends_at).strftime(
                "%H:%M"), "meeting_url": ws.meeting_url, "agenda_md": ws.agenda_md,
            "materials_md": ws.materials_md, "recording_url": ws.recording_url,
            "summary_md": ws.summary_md}
    data.update(changes)
    return data


def test_notif_session_rescheduled_tells_everyone_but_the_trainer(login_as, client, demo, db):
    ws = db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.cohort_id == demo.id, WorkshopSession.number == 3))
    login_as("trainer1@example.jp")
    url = f"/c/{SLUG}/sessions/3/edit"
    # Only the agenda changes: nobody is told.
    response = client.post(url, data=_session_form(client.get(url).get_data(as_text=True),
                                                   ws=ws, agenda_md="新しいアジェンダ"))
    assert response.status_code == 302
    assert count("session_changed") == 0
    new_day = (to_tokyo(ws.starts_at) + timedelta(days=7)).date().isoformat()
    response = client.post(url, data=_session_form(client.get(url).get_data(as_text=True),
                                                   ws=ws, date=new_day))
    assert response.status_code == 302
    assert recipients("session_changed") == EVERYONE - {"trainer1@example.jp"}
    note = notes_of("p10@example.jp", "session_changed")[0]
    assert "第3回" in note.text and "日時" in note.text
    assert note.url == f"/c/{SLUG}/sessions/3"
    response = client.post(url, data=_session_form(client.get(url).get_data(as_text=True),
                                                   ws=ws, meeting_url="https://example.jp/new"))
    assert "会議のURL" in notes_of("p10@example.jp", "session_changed")[-1].text
    assert count("session_changed") == 2 * 52


def test_notif_due_reminders_3_days_and_tomorrow_once_and_only_for_the_missing(demo, db):
    hw = homework(demo, "s3_goal_kpi")
    kind = hw.kind
    now = utcnow()
    due_local = to_tokyo(now).replace(hour=23, minute=59) + timedelta(days=3)
    hw.due_at = due_local
    db.session.commit()
    submit_as(db, demo, "p01@example.jp", hw)
    made = send_due_reminders(now)
    db.session.commit()
    assert made > 0
    again = send_due_reminders(now + timedelta(minutes=10))  # the worker runs again
    db.session.commit()
    assert again == 0
    got = recipients("homework_due")
    assert "p01@example.jp" not in got
    if kind == "municipality":
        assert "p02@example.jp" not in got and len(got) == 48
    assert not got & {"trainer1@example.jp", "organizer@example.jp"}
    assert "3日後" in notes_of("p03@example.jp", "homework_due")[0].text
    # Two days later it is "tomorrow": one more reminder each, then nothing new.
    later = now + timedelta(days=2)
    assert send_due_reminders(later) == len(got)
    db.session.commit()
    assert send_due_reminders(later) == 0
    assert "明日" in notes_of("p03@example.jp", "homework_due")[-1].text


def test_notif_settings_turn_a_kind_off(client, demo, db, token_for):
    from lms.notifications.services import set_setting

    set_setting(get_user_by_email("p05@example.jp").id, "homework_new", enabled=False)
    db.session.commit()
    client.post(f"/api/v1/cohorts/{SLUG}/homework", headers=token_for("trainer1@example.jp"),
                json={"session_number": 3, "title": "追加", "kind": "individual",
                      "instructions": "", "due_at": "2030-05-01T17:00:00+09:00",
                      "late_policy": "accept"})
    assert recipients("homework_new") == PARTICIPANTS - {"p05@example.jp"}


def test_notif_reschedule_is_posted_to_the_announcements(login_as, client, demo, db):
    from lms.channels.models import Channel, Message

    news = db.session.scalar(select(Channel).where(Channel.cohort_id == demo.id,
                                                   Channel.name == "お知らせ"))
    ws = db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.cohort_id == demo.id, WorkshopSession.number == 3))
    login_as("trainer1@example.jp")
    url = f"/c/{SLUG}/sessions/3/edit"
    new_day = (to_tokyo(ws.starts_at) + timedelta(days=7)).date().isoformat()
    client.post(url, data=_session_form(client.get(url).get_data(as_text=True), ws=ws,
                                        date=new_day))
    client.post(url, data=_session_form(client.get(url).get_data(as_text=True), ws=ws,
                                        agenda_md="アジェンダだけ"))
    posts = db.session.scalars(select(Message).where(Message.channel_id == news.id)).all()
    assert len(posts) == 1
    assert "【第3回の変更】" in posts[0].body and "日時" in posts[0].body
    assert posts[0].author.email == "trainer1@example.jp"
