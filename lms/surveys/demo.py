"""Demo surveys: session 1 answered and closed, session 2 (anonymous) open and half answered."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.cohorts.models import Cohort, Membership
from lms.extensions import db
from lms.surveys import services
from lms.surveys.models import Survey

GOOD = ["他の自治体の状況を具体的な数字で聞けた", "グループワークの時間が十分あった",
        "目標チェッカーで自分の目標が手段になっていると気づけた",
        "小さい町の事情も大きな区の人に聞いてもらえた", ""]
IMPROVE = ["講義の時間が少し長かった", "宿題の量が繁忙期には多い", "",
           "ブレイクアウトの最初の数分、誰も話さなかった", "資料を事前に配ってほしい"]
REQUEST = ["他県の事例ももっと知りたい", "", "業務フローの書き方を実習で教えてほしい",
           "録画を早めに公開してほしい", ""]


def _answers(n: int) -> dict:
    return {"satisfaction": (3, 4, 5, 4, 5, 2, 4)[n % 7], "good": GOOD[n % len(GOOD)],
            "improve": IMPROVE[n % len(IMPROVE)], "request": REQUEST[n % len(REQUEST)]}


def seed_demo_surveys(cohort: Cohort, organizer) -> None:
    """Runs once on the demo cohort; flushes. `organizer` opens the surveys."""
    surveys = {s.key: s for s in db.session.scalars(
        select(Survey).where(Survey.cohort_id == cohort.id))}
    members = db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort.id,
                                 Membership.role == "participant")
        .options(selectinload(Membership.user)).order_by(Membership.id)).all()
    first, second = surveys.get("s1"), surveys.get("s2")
    if first is None or second is None:
        return
    services.open_survey(first, organizer)
    for n, m in enumerate(members):
        if n % 6 != 5:  # most people answered the first one
            services.save_response(first, m, _answers(n))
    services.close_survey(first)
    services.open_survey(second, organizer)
    for n, m in enumerate(members):
        if n >= 2 and n % 2 == 0:  # half so far; p01 and p02 have not answered yet
            services.save_response(second, m, _answers(n + 3))
    db.session.flush()
