"""The status matrix: what trainers read in it, and a query count that does not grow."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.cohorts.models import Membership
from lms.cohorts.services import enrol, ensure_user
from lms.homework import services
from tests.homework.helpers import homework, membership

MATRIX = "/c/tokyo-dx-2021/homework/matrix"


def submit_as(db, cohort, email, key, body="提出"):
    hw = homework(cohort, key)
    m = membership(cohort, email)
    sub, _ = services.submit_homework(hw, m, m.user, body=body, uploads=[],
                                      client_submission_id=None, upload_folder="/nonexistent",
                                      max_mb=1, max_files=1)
    db.session.commit()
    return sub


def test_matrix_statuses_and_progress(login_as, demo, db, client):
    hearing = submit_as(db, demo, "p01@example.jp", "s1_hearing")  # late: session 1 is past
    submit_as(db, demo, "p01@example.jp", "s3_case")  # on time
    nayami = submit_as(db, demo, "p02@example.jp", "s1_nayami")
    nayami.review_status = "revise"
    db.session.commit()

    assert login_as("p01@example.jp").get(MATRIX).status_code == 403
    client.post("/logout")
    login_as("organizer@example.jp")
    page = client.get(MATRIX).get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    assert len(rows) == 50
    by_name = {row.split("<")[0]: row for row in rows}
    p01_row, p02_row, p03_row = (by_name[membership(demo, f"p0{i}@example.jp").user.name]
                                 for i in (1, 2, 3))
    assert "遅延" in p01_row and "提出済" in p01_row  # s1_hearing late, s3_case on time
    assert "遅延" in p02_row and "要修正" in p02_row  # shares the municipality's hearing
    assert "遅延" not in p03_row and "未提出" in p03_row
    # Column progress: 1 of 25 municipalities for the hearing, 1 of 50 people for nayami.
    assert 'value="1" max="25"' in page and "1/25 提出" in page
    assert "1/50 提出" in page
    assert hearing.id and f"/c/tokyo-dx-2021/submissions/{hearing.id}" in page

    by_muni = client.get(MATRIX + "?by=municipality").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", by_muni, re.S)
    assert len(rows) == 25
    # Individual homework in a municipality row counts its two people: 要修正 wins.
    setagaya = next(row for row in rows if row.startswith("世田谷区"))
    assert "要修正 1/2" in setagaya
    by_team = client.get(MATRIX + "?by=team").get_data(as_text=True)
    assert len(re.findall(r"<tr>\s*<th scope=\"row\">", by_team)) == 5


def test_matrix_queries_do_not_grow_with_the_cohort(login_as, demo, db, client,
                                                    count_queries):
    submit_as(db, demo, "p01@example.jp", "s1_hearing")
    login_as("trainer1@example.jp")
    counts = []
    for round_ in range(2):
        client.get("/")  # reload the logged-in user after the commits below (not counted)
        for by in ("person", "municipality", "team"):
            with count_queries() as statements:
                assert client.get(f"{MATRIX}?by={by}").status_code == 200
            counts.append(len(statements))
        # Grow the cohort: 20 more participants who all submit.
        codes = db.session.scalars(select(Membership.municipality_code).where(
            Membership.cohort_id == demo.id, Membership.role == "participant")).all()
        for i in range(20):
            user = ensure_user(f"extra{round_}-{i}@example.jp", f"追加 {i}")
            enrol(demo, user, "participant", codes[i])
        db.session.commit()
        for i in range(20):
            submit_as(db, demo, f"extra{round_}-{i}@example.jp", "s1_nayami")
            submit_as(db, demo, f"extra{round_}-{i}@example.jp", "s1_charter")
    assert counts[:3] == counts[3:], counts
    # 12 for the page, and 2 that every logged-in request makes since sessions live on the
    # server: the stored session and its login (issue 14).
    assert max(counts) <= 14, counts


def test_dashboard_shows_homework_with_days_left_and_badge(login_as, demo, db, client):
    sub = submit_as(db, demo, "p01@example.jp", "s1_hearing")
    sub.review_status, sub.feedback_md = "revise", "直してください"
    db.session.commit()
    login_as("p02@example.jp")
    page = client.get("/").get_data(as_text=True)
    card = page[page.index("やること"):]
    # Returned for revision comes first, then deadlines still ahead with the days left.
    assert card.index("業務ヒアリングと業務説明表") < card.index("講師より：要修正") \
        < card.index("To-Beを原課と確認する")
    assert re.search(r"To-Beを原課と確認する（第3回）</a>\s*"
                     r"<span class=\"todo-detail\">あと3[45]日", card)


def _row_of(page: str, name: str) -> str:
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    row = next(row for row in rows if row.startswith(name))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))  # what a reader sees


def test_matrix_states_around_a_due_date(login_as, demo, db, client):
    from datetime import timedelta

    from lms.db import utcnow
    from lms.homework.progress import status_matrix

    hw = homework(demo, "s3_case")  # individual
    login_as("trainer1@example.jp")

    def seen(email: str) -> str:
        """The cell of s3_case for this person, as the page shows it (icon and words)."""
        db.session.expire_all()
        matrix = status_matrix(demo)
        column = next(i for i, c in enumerate(matrix.columns) if c.homework.id == hw.id)
        m = membership(demo, email)
        cell = next(r for r in matrix.rows if r.key == f"u:{m.user_id}").cells[column]
        text = f"{cell.icon} {cell.label}"
        assert text in _row_of(client.get(MATRIX).get_data(as_text=True), m.user.name)
        return text

    hw.due_at = utcnow() + timedelta(days=2)
    db.session.commit()
    submit_as(db, demo, "p01@example.jp", "s3_case")
    assert seen("p03@example.jp") == "○ 期限前"
    assert seen("p01@example.jp") == "● 提出済"
    # The deadline passes: the silent one is overdue, a late one is 遅延.
    hw.due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    submit_as(db, demo, "p05@example.jp", "s3_case")
    assert seen("p03@example.jp") == "✕ 未提出(期限切れ)"
    assert seen("p05@example.jp") == "▲ 遅延"
    assert seen("p01@example.jp") == "● 提出済"
    # Reviewed: 確認済 / 要修正, with icons and words.
    subs = {s.author.email: s for s in db.session.scalars(select(services.Submission))}
    subs["p01@example.jp"].review_status = "ok"
    subs["p05@example.jp"].review_status = "revise"
    db.session.commit()
    assert seen("p01@example.jp") == "✓ 確認済"
    assert seen("p05@example.jp") == "↻ 要修正"


def test_matrix_progress_counts_only_what_is_due(login_as, demo, db, client):
    from lms.homework.progress import status_matrix

    submit_as(db, demo, "p01@example.jp", "s3_case")  # session 3 is not due yet
    row = next(r for r in status_matrix(demo).rows
               if r.key == f"u:{membership(demo, 'p01@example.jp').user_id}")
    due = [c for c in row.cells if c.due]
    assert row.total == sum(c.total for c in due) and row.done == 0
    assert len(due) < len(row.cells)


def test_matrix_needs_feedback_filter(login_as, demo, db, client):
    submit_as(db, demo, "p01@example.jp", "s1_nayami")
    reviewed = submit_as(db, demo, "p03@example.jp", "s1_nayami")
    reviewed.review_status = "ok"
    db.session.commit()
    login_as("trainer1@example.jp")
    page = client.get(MATRIX + "?filter=feedback").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    assert [r.split("<")[0] for r in rows] == [membership(demo, "p01@example.jp").user.name]
    assert "講評待ち" in rows[0]


def test_feedback_next_previous_and_save_then_next(login_as, demo, db, client):
    from tests.conftest import csrf_from

    first = submit_as(db, demo, "p01@example.jp", "s1_nayami")
    second = submit_as(db, demo, "p03@example.jp", "s1_nayami")
    third = submit_as(db, demo, "p05@example.jp", "s1_nayami")
    second.review_status = "ok"
    db.session.commit()
    login_as("trainer1@example.jp")
    url = "/c/tokyo-dx-2021/submissions/{}"
    page = client.get(url.format(first.id)).get_data(as_text=True)
    assert "前の提出" not in page and f'href="{url.format(second.id)}" rel="next"' in page
    assert "3件中1件目" in page
    # Save and go to the next one still waiting (the reviewed one is skipped).
    response = client.post(url.format(first.id), data={
        "csrf_token": csrf_from(page), "status": "ok", "feedback": "よくできています",
        "then": "next"})
    assert response.headers["Location"].endswith(url.format(third.id))
    page = client.get(url.format(third.id)).get_data(as_text=True)
    assert f'href="{url.format(second.id)}" rel="prev"' in page and "次の提出" not in page
    assert "保存して次の講評待ちへ" not in page  # nothing else waits
