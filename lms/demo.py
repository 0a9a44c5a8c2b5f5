"""The demo cohort tokyo-dx-2021: 25 Tokyo municipalities, 5 teams, 5 sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from lms.auth.services import hash_password
from lms.cohorts.models import Cohort, Municipality
from lms.cohorts.services import enrol, ensure_user, sync_municipalities
from lms.courses import DEFAULT_COURSE_DIR, load_course
from lms.extensions import db
from lms.goals_web.demo import add_demo_corrections
from lms.homework.demo import seed_demo_progress
from lms.proposals.demo import seed_demo_proposals
from lms.provisioning import create_cohort_from_course
from lms.retros.demo import seed_demo_retros
from lms.surveys.demo import seed_demo_surveys
from lms.teams.services import form_teams
from lms.timefmt import TOKYO

DEMO_SLUG = "tokyo-dx-2021"
DEMO_TITLE = "東京都区市町村向け自治体変革PJ-DX研修2021"
# 25 municipalities from 1-million wards to villages, as in the real course's mix.
DEMO_MUNICIPALITIES = (
    "世田谷区", "練馬区", "大田区", "足立区", "江戸川区", "杉並区", "板橋区", "江東区",
    "品川区", "新宿区", "渋谷区", "中央区", "千代田区", "八王子市", "町田市", "府中市",
    "調布市", "三鷹市", "立川市", "武蔵野市", "福生市", "瑞穂町", "日の出町", "奥多摩町",
    "檜原村",
)
SURNAMES = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
    "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水",
    "山崎", "森", "池田", "橋本", "阿部", "石川", "山下", "中島", "石井", "小川",
    "前田", "岡田", "長谷川", "藤田", "後藤", "近藤", "村上", "遠藤", "青木", "坂本",
    "斉藤", "福田", "太田", "西村", "藤井", "金子", "岡本", "藤原", "中野", "三浦",
)
GIVEN = ("陽子", "健太", "美咲", "大輔", "由美", "翔", "恵", "直樹", "彩", "誠")
DEPARTMENTS = ("情報政策課", "企画課", "総務課", "市民課", "DX推進課")


@dataclass
class DemoResult:
    created: bool
    cohort: Cohort
    password: str


def demo_start_date(course, today: date) -> date:
    """Sessions 1–2 in the past, session 3 six days from today (Tokyo's date).

    Session 2's homework is due the evening before the week of session 3, so at any hour of
    the day it is already overdue for whoever has not handed it in: the demo always shows work
    in every state, whether it is built at 09:00 or at 23:00 in Tokyo.
    """
    third = next((s for s in course.sessions if s.number == 3), course.sessions[-1])
    return today + timedelta(days=6) - timedelta(days=third.offset_days)


def tokyo_today() -> date:
    return datetime.now(TOKYO).date()


def build_demo(password: str, today: date | None = None) -> DemoResult:
    """Create the demo cohort unless it exists (idempotent); flushes, does not commit."""
    existing = db.session.scalar(select(Cohort).where(Cohort.slug == DEMO_SLUG))
    if existing is not None:
        return DemoResult(False, existing, password)
    sync_municipalities()
    course = load_course(DEFAULT_COURSE_DIR)
    pw_hash = hash_password(password)  # one hash for all demo accounts keeps seeding fast
    organizer = ensure_user("organizer@example.jp", "東京都 研修事務局", pw_hash)
    cohort = create_cohort_from_course(
        course, slug=DEMO_SLUG, title=DEMO_TITLE,
        starts_on=demo_start_date(course, today or tokyo_today()), organizer=organizer)
    for i, name in enumerate(("講師 一郎", "講師 花子"), start=1):
        enrol(cohort, ensure_user(f"trainer{i}@example.jp", name, pw_hash), "trainer")
    by_name = {m.name: m for m in db.session.scalars(select(Municipality))}
    number = 0
    for index, mname in enumerate(DEMO_MUNICIPALITIES):
        municipality = by_name[mname]
        for _ in range(2):
            number += 1
            person = f"{SURNAMES[number - 1]} {GIVEN[number % len(GIVEN)]}"
            user = ensure_user(f"p{number:02d}@example.jp", person, pw_hash)
            enrol(cohort, user, "participant", municipality.code,
                  DEPARTMENTS[(index + number) % len(DEPARTMENTS)])
    form_teams(cohort, 5)  # teams_changed gives each team its room
    db.session.flush()
    # Sessions 1–2 are past: attendance, catch-up, homework submitted and reviewed.
    seed_demo_progress(cohort)
    seed_demo_retros(cohort)
    seed_demo_surveys(cohort, organizer)
    seed_demo_proposals(cohort)
    add_demo_corrections(cohort)
    return DemoResult(True, cohort, password)
