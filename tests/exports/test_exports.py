"""Organizer exports: CSV and XLSX open in Excel, Japanese columns, no formulas, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.channels.models import Channel
from lms.channels.services import post_message
from lms.cohorts.models import Membership
from lms.cohorts.services import ensure_user
from lms.extensions import db
from tests.exports.helpers import read_csv, read_xlsx, sized_cohort

BASE = "/api/v1/cohorts/tokyo-dx-2021/export"


def test_participants_export_csv_lists_everyone_with_japanese_columns(login_as, demo):
    client = login_as("organizer@example.jp")
    response = client.get(f"{BASE}/participants.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    rows = read_csv(response.data)
    assert rows[0] == ["氏名", "メールアドレス", "役割", "自治体コード", "自治体", "部署", "チーム",
                       "パスワード設定", "登録日時"]
    assert len(rows) == 1 + 53
    p01 = next(r for r in rows if r[1] == "p01@example.jp")
    assert p01[2] == "受講者" and p01[4] == "世田谷区" and p01[6].startswith("チーム")
    assert p01[7] == "設定済"
    assert rows[1][2] == "主催者"


def test_participants_export_xlsx_has_frozen_header_and_sized_columns(login_as, demo):
    response = login_as("organizer@example.jp").get(f"{BASE}/participants.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = read_xlsx(response.data)
    assert sheet.title == "受講者名簿"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:3] == ["氏名", "メールアドレス", "役割"]
    assert sheet[1][0].font.b
    assert sheet.column_dimensions["B"].width >= len("p01@example.jp")
    assert sheet.max_row == 1 + 53


def test_exports_neutralise_formulas_in_csv_and_keep_text_in_xlsx(login_as, demo):
    evil = ensure_user("evil@example.jp", "=HYPERLINK(\"http://x\",\"押して\")")
    from lms.cohorts.services import enrol

    enrol(demo, evil, "participant", "131121", "@SUM(A1)")
    channel = db.session.scalar(select(Channel).where(Channel.cohort_id == demo.id,
                                                      Channel.key == "dx_nayami"))
    post_message(evil, channel, "-1+2 は数式ではありません")
    db.session.commit()
    client = login_as("organizer@example.jp")
    rows = read_csv(client.get(f"{BASE}/participants.csv").data)
    row = next(r for r in rows if r[1] == "evil@example.jp")
    assert row[0] == "'=HYPERLINK(\"http://x\",\"押して\")" and row[5] == "'@SUM(A1)"
    sheet = read_xlsx(client.get(f"{BASE}/participants.xlsx").data)
    cell = next(r[0] for r in sheet.iter_rows(min_row=2) if r[1].value == "evil@example.jp")
    assert cell.value == "=HYPERLINK(\"http://x\",\"押して\")" and cell.data_type == "s"
    archive = read_csv(client.get(f"{BASE}/channels.csv").data)
    assert any(r[8] == "'-1+2 は数式ではありません" for r in archive)
    sheet = read_xlsx(client.get(f"{BASE}/channels.xlsx").data)
    body = next(r[8] for r in sheet.iter_rows(min_row=2)
                if r[8].value == "-1+2 は数式ではありません")
    assert body.data_type == "s"


def test_attendance_export_has_a_row_per_participant_and_session(login_as, demo):
    rows = read_csv(login_as("organizer@example.jp").get(f"{BASE}/attendance.csv").data)
    assert rows[0][:7] == ["回", "開催日", "氏名", "メールアドレス", "自治体", "チーム", "出欠"]
    assert len(rows) == 1 + 5 * 50
    assert {r[0] for r in rows[1:]} == {f"第{n}回" for n in range(1, 6)}
    # Sessions 1-2 are past in the demo and have attendance recorded.
    first = [r for r in rows[1:] if r[0] == "第1回"]
    assert {r[6] for r in first} <= {"出席", "一部", "欠席"}
    assert {r[6] for r in rows[1:] if r[0] == "第5回"} == {"未記録"}


@pytest.mark.parametrize("by,label,count", [("person", "受講者", 50),
                                             ("municipality", "自治体", 25), ("team", "チーム", 5)])
def test_homework_status_export_is_the_matrix(login_as, demo, by, label, count):
    client = login_as("organizer@example.jp")
    rows = read_csv(client.get(f"{BASE}/homework.csv?by={by}").data)
    assert rows[0][0] == label
    assert any(h.startswith("第1回 ") for h in rows[0])
    assert rows[0][-2:] == ["提出数", "対象数"]
    assert len(rows) == 1 + count
    values = {v for r in rows[1:] for v in r}
    assert values & {"提出済", "未提出", "提出済・確認済", "遅延"}


def test_channel_archive_export_has_every_message_and_hides_deleted_text(login_as, demo):
    from lms.channels.models import Message
    from lms.db import utcnow

    author = ensure_user("p01@example.jp", "")
    for channel in db.session.scalars(select(Channel).where(Channel.cohort_id == demo.id)):
        post_message(author, channel, f"{channel.name}で話しましょう")
    message = db.session.scalar(select(Message).join(Channel).where(
        Channel.cohort_id == demo.id).order_by(Message.id).limit(1))
    total = db.session.scalar(select(db.func.count()).select_from(Message).join(Channel)
                              .where(Channel.cohort_id == demo.id))
    secret = message.body
    message.deleted_at = utcnow()
    db.session.commit()
    response = login_as("organizer@example.jp").get(f"{BASE}/channels.csv")
    assert response.is_streamed
    rows = read_csv(response.data)
    assert rows[0] == ["チャンネル", "種類", "チーム", "投稿番号", "返信先", "投稿日時", "投稿者",
                       "自治体", "本文", "編集日時", "状態"]
    assert len(rows) == 1 + total
    deleted = next(r for r in rows if r[3] == str(message.id))
    assert deleted[10] == "削除済" and deleted[8] == "" and secret not in response.data.decode()
    assert {"全体", "チームルーム"} <= {r[1] for r in rows[1:]}


def test_exports_refused_to_trainers_participants_outsiders_and_anonymous(
        client, login_as, demo, make_cohort, token_for):
    for email in ("trainer1@example.jp", "p01@example.jp"):
        login_as(email)
        for name in ("participants", "attendance", "homework", "channels", "audit"):
            response = client.get(f"{BASE}/{name}.csv")
            assert response.status_code == 403, (email, name)
            assert response.get_json()["error"]["code"] == "forbidden"
        assert client.get("/c/tokyo-dx-2021/exports").status_code == 403
        client.post("/logout")
    assert client.get(f"{BASE}/participants.csv").status_code == 401
    make_cohort()
    headers = token_for("org2@example.jp")  # organizer of another cohort only
    assert client.get(f"{BASE}/participants.csv", headers=headers).status_code == 404
    headers = token_for("organizer@example.jp")
    assert client.get(f"{BASE}/participants.csv", headers=headers).status_code == 200
    assert client.get(f"{BASE}/nothing.csv", headers=headers).status_code == 404
    assert client.get(f"{BASE}/participants.pdf", headers=headers).status_code == 404


def test_exports_page_links_every_export_and_downloads_are_audited(login_as, demo):
    client = login_as("organizer@example.jp")
    page = client.get("/c/tokyo-dx-2021/exports").get_data(as_text=True)
    for name in ("participants", "attendance", "homework", "channels", "audit"):
        assert f"/export/{name}.csv" in page and f"/export/{name}.xlsx" in page
    client.get(f"{BASE}/attendance.xlsx")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.download"))
    assert entry.after == {"export": "attendance", "format": "xlsx"}
    assert entry.actor_label.startswith("東京都 研修事務局")


def test_exports_of_an_archived_cohort_still_work(login_as, demo):
    client = login_as("organizer@example.jp")
    client.post("/c/tokyo-dx-2021/archive")
    assert client.get(f"{BASE}/participants.csv").status_code == 200
    assert client.get(f"{BASE}/channels.xlsx").status_code == 200


def test_export_query_count_is_the_same_for_5_and_50_teams(app, client, make_cohort,
                                                           count_queries, token_for):
    counts = {}
    for teams in (5, 50):
        cohort = sized_cohort(make_cohort, teams, f"size-{teams}")
        organizer = db.session.scalar(select(Membership).where(
            Membership.cohort_id == cohort.id, Membership.role == "organizer"))
        headers = token_for(organizer.user.email)
        for name in ("participants", "attendance", "homework", "channels"):
            with count_queries() as statements:
                response = client.get(f"/api/v1/cohorts/{cohort.slug}/export/{name}.csv",
                                      headers=headers)
                assert response.status_code == 200
                rows = read_csv(response.data)
            assert len(rows) > teams
            counts[(teams, name)] = len(statements)
    for name in ("participants", "attendance", "homework", "channels"):
        assert counts[(5, name)] == counts[(50, name)], name
