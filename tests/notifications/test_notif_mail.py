"""Mail: immediate for urgent kinds, a daily digest, plain text with links only, settings
respected, and unsubscribe links that work without logging in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.auth.services import get_user_by_email
from lms.notifications.mail import queue_digests, unsubscribe_token
from lms.notifications.services import notify, set_setting, user_settings
from lms.outbox.models import OutboxMessage
from lms.periodic import run_periodic_jobs
from tests.conftest import csrf_from

TOKYO = ZoneInfo("Asia/Tokyo")
MORNING = datetime(2030, 5, 2, 7, 30, tzinfo=TOKYO)
NIGHT_BEFORE = datetime(2030, 5, 1, 22, 0, tzinfo=TOKYO)


@pytest.fixture
def mail_on(app):
    app.config.update(MAIL_SERVER="127.0.0.1", PUBLIC_URL="https://lms.example.jp")


def outbox(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def links_only(body: str) -> None:
    assert "<" not in body and ">" not in body  # no HTML
    for url in re.findall(r"https?://\S+", body):
        assert url.startswith("https://lms.example.jp/")


def test_notif_digest_one_mail_per_person_links_only(app, demo, db, mail_on):
    p01, p02 = get_user_by_email("p01@example.jp"), get_user_by_email("p02@example.jp")
    notify([p01, p02], "homework_new", "新しい宿題「KPI」が出ました。",
           "/c/tokyo-dx-2021/homework/5",
           now=NIGHT_BEFORE)
    notify([p01], "mention", "佐藤さんがあなたをメンションしました。",
           "/c/tokyo-dx-2021/channels/1#m-9", now=NIGHT_BEFORE)
    db.session.commit()
    assert outbox(db) == []  # digest is the default: nothing at once
    assert queue_digests(MORNING - timedelta(hours=1)) == 0  # before 7:00 no digest yet
    assert queue_digests(MORNING) == 2
    db.session.commit()
    mails = {m.recipient: m for m in outbox(db)}
    assert set(mails) == {"p01@example.jp", "p02@example.jp"}
    body = mails["p01@example.jp"].body
    assert "お知らせが2件" in body and "新しい宿題「KPI」" in body
    assert "https://lms.example.jp/c/tokyo-dx-2021/homework/5" in body
    assert "https://lms.example.jp/notifications/unsubscribe/" in body
    assert body.count("のメールを止める") == 2  # one link per kind in the mail
    links_only(body)
    # The worker runs again: nothing is mailed twice.
    assert queue_digests(MORNING + timedelta(minutes=5)) == 0


def test_notif_digest_respects_settings_and_read(app, demo, db, mail_on):
    p01, p02, p03 = (get_user_by_email(f"p0{n}@example.jp") for n in (1, 2, 3))
    set_setting(p01.id, "mention", mail="none")
    set_setting(p02.id, "mention", enabled=False)
    db.session.commit()
    notes = notify([p01, p02, p03], "mention", "メンション", "/x", now=NIGHT_BEFORE)
    assert {n.user_id for n in notes} == {p01.id, p03.id}  # p02 turned the kind off
    read = notify([p03], "reply", "既読の返信", "/y", now=NIGHT_BEFORE)[0]
    read.read = True
    db.session.commit()
    assert queue_digests(MORNING) == 1
    db.session.commit()
    [mail] = outbox(db)
    assert mail.recipient == "p03@example.jp" and "既読の返信" not in mail.body


def test_notif_urgent_kind_is_mailed_at_once(app, demo, db, mail_on):
    p01 = get_user_by_email("p01@example.jp")
    set_setting(p01.id, "session_changed", mail="immediate")
    db.session.commit()
    notify([p01, get_user_by_email("p02@example.jp")], "session_changed",
           "第3回の日時が変更されました。", "/c/tokyo-dx-2021/sessions/3", now=NIGHT_BEFORE)
    db.session.commit()
    [mail] = outbox(db)
    assert mail.recipient == "p01@example.jp"
    assert "研修回の日時・会議URLの変更" in mail.subject
    assert "https://lms.example.jp/c/tokyo-dx-2021/sessions/3" in mail.body
    links_only(mail.body)
    assert queue_digests(MORNING) == 1  # p02's digest; p01's was mailed already
    db.session.commit()
    assert [m.recipient for m in outbox(db)] == ["p01@example.jp", "p02@example.jp"]


def test_notif_no_mail_server_no_mail(app, demo, db):
    app.config["MAIL_SERVER"] = None
    p01 = get_user_by_email("p01@example.jp")
    set_setting(p01.id, "mention", mail="immediate")
    notify([p01], "mention", "x", "/x", now=NIGHT_BEFORE)
    db.session.commit()
    assert run_periodic_jobs(MORNING).digests == 0
    assert outbox(db) == []


def test_notif_unsubscribe_without_login(client, demo, db, app):
    p01 = get_user_by_email("p01@example.jp")
    with app.test_request_context():
        token = unsubscribe_token(p01.id, "homework_due")
    url = f"/notifications/unsubscribe/{token}"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "宿題の締切（3日前・前日）" in html and "このメールを停止する" in html
    assert user_settings(p01)["homework_due"]["mail"] == "digest"  # a GET changes nothing
    done = client.post(url, data={"csrf_token": csrf_from(html)})
    assert "メールを停止しました" in done.get_data(as_text=True)
    db.session.expire_all()
    assert user_settings(p01)["homework_due"] == {"enabled": True, "mail": "none"}
    assert client.get("/notifications/unsubscribe/forged.token").status_code == 404
    assert client.get(f"/notifications/unsubscribe/{token[:-2]}xx").status_code == 404


def test_notif_settings_page(login_as, client, demo, db):
    login_as("p01@example.jp")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "通知の設定" in page and page.count("<select") == 10
    data = {"csrf_token": csrf_from(page)}
    for kind in ("homework_new", "feedback", "mention"):
        data[f"{kind}-enabled"] = "1"
        data[f"{kind}-mail"] = "digest"
    data["feedback-mail"] = "immediate"
    response = client.post("/notifications/settings", data=data, follow_redirects=True)
    assert "通知の設定を保存しました" in response.get_data(as_text=True)
    db.session.expire_all()
    chosen = user_settings(get_user_by_email("p01@example.jp"))
    assert chosen["feedback"] == {"enabled": True, "mail": "immediate"}
    assert chosen["reply"]["enabled"] is False  # unticked
    bad = dict(data, **{"mention-mail": "hourly"})
    assert client.post("/notifications/settings", data=bad).status_code == 400


def test_notif_worker_runs_due_reminders_without_mail(app, demo, db):
    from lms.db import utcnow
    from lms.timefmt import to_tokyo
    from tests.homework.helpers import homework
    from tests.notifications.helpers import count

    hw = homework(demo, "s3_goal_kpi")
    hw.due_at = to_tokyo(utcnow()).replace(hour=23, minute=59) + timedelta(days=1)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "worker", "--no-mail", "--once"])
    assert result.exit_code == 0, result.output
    assert "締切のお知らせ" in result.output
    made = count("homework_due")
    assert made >= 25
    assert runner.invoke(args=["lms", "worker", "--no-mail", "--once"]).exit_code == 0
    assert count("homework_due") == made
