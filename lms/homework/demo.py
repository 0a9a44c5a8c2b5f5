"""Demo progress for sessions 1–2: attendance, catch-up, submissions, reviews and a draft."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.cohorts.access import team_id_for
from lms.cohorts.models import Cohort, Membership
from lms.extensions import db
from lms.homework.models import Homework
from lms.homework.services import review_submission, save_draft, submit_homework
from lms.sessions.attendance import record_by_hand
from lms.sessions.catchup import set_ticked_tasks
from lms.sessions.models import WorkshopSession

# (session number) → {participant number: status}; everyone else attended.
MISSED = {1: {3: "absent", 7: "partial"}, 2: {1: "absent", 10: "partial", 15: "absent"}}
HEARING = """## 対象業務: {name}の窓口での証明書発行

- 年間件数: 約{count:,}件
- 担当: 市民課 窓口係
- 困りごと: 繁忙期の待ち時間、手書き申請書の転記
"""


def seed_demo_progress(cohort: Cohort) -> None:
    """Runs once, on the cohort build_demo has just created (teams formed); flushes."""
    trainer = db.session.scalar(
        select(Membership).where(Membership.cohort_id == cohort.id,
                                 Membership.role == "trainer")
        .options(selectinload(Membership.user)).order_by(Membership.id).limit(1)).user
    members = db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort.id,
                                 Membership.role == "participant")
        .options(selectinload(Membership.user), selectinload(Membership.municipality))
        .order_by(Membership.id)).all()
    person = {int(m.user.email[1:3]): m for m in members if m.user.email[1:3].isdigit()}
    sessions = {ws.number: ws for ws in db.session.scalars(
        select(WorkshopSession).where(WorkshopSession.cohort_id == cohort.id))}
    for number, missed in MISSED.items():
        record_by_hand(cohort, sessions[number], {
            m.user_id: missed.get(n, "present") for n, m in person.items()})
    set_ticked_tasks(sessions[1], person[3].user_id, set(range(len(sessions[1].catchup_tasks))))
    set_ticked_tasks(sessions[2], person[1].user_id, {0})

    homework = {h.key: h for h in db.session.scalars(
        select(Homework).where(Homework.cohort_id == cohort.id))}

    def submit(key: str, n: int, body: str, *, days_before: int = 2):
        hw = homework[key]
        sub, _ = submit_homework(hw, person[n], person[n].user, body=body, uploads=[],
                                 client_submission_id=None, upload_folder="", max_mb=1,
                                 max_files=0, now=hw.due_at - timedelta(days=days_before))
        return sub

    hearing = [submit("s1_hearing", n, HEARING.format(name=person[n].municipality.name,
                                                      count=12000 - n * 300))
               for n in range(1, 31, 2)]  # the first 15 municipalities
    submit("s1_hearing", 31, HEARING.format(name=person[31].municipality.name, count=800),
           days_before=-3)  # three days late, accepted
    review_submission(hearing[0], trainer, status="ok",
                      feedback="件数と困りごとが具体的で分かりやすいです。"
                               "**原課の声**も次回に共有してください。")
    review_submission(hearing[1], trainer, status="revise",
                      feedback="年間件数の**出典**（統計・システムの集計など）を"
                               "書き足してください。")
    for n in range(1, 31):
        sub = submit("s1_nayami", n, "庁内の紙の申請書をどこから見直すか迷っています。")
        if n == 1:
            review_submission(sub, trainer, status="ok",
                              feedback="チャンネルへの投稿も確認しました。")
    teams = {}
    for n, m in person.items():
        teams.setdefault(team_id_for(m), n)
    for _team_id, n in sorted(teams.items(), key=lambda kv: kv[1])[:4]:
        submit("s1_charter", n, "## チーム憲章\n- 毎週金曜にチームルームで進捗を共有する\n"
                                "## 目標の第一案\n住民が窓口で待つ時間を2023年3月までに半分にする")
    save_draft(homework["s2_user_voice"], person[1], person[1].user, revision=0,
               body="窓口で利用者3人に話を聞きました。\n\n- 待ち時間が長い\n- ")
    db.session.flush()


