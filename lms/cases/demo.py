"""Demo cases: three posts in 「DX導入事例」 marked as cases."""

from __future__ import annotations

from sqlalchemy import select

from lms.cases.models import CASE_CHANNEL_KEY
from lms.cases.services import CaseFields, save_case
from lms.channels.models import Channel
from lms.channels.services import post_message
from lms.cohorts.models import Cohort, Membership

DEMO_CASES = (
    ("p01@example.jp", "窓口・手続", "転入届・住民異動届",
     "「書かない窓口」を始めました。職員が聞き取ってシステムに入力し、住民は確認して署名するだけ。"
     "記入台の前で迷う人がいなくなりました。",
     "受付から交付までの平均時間が約40分から約15分に短縮",
     ["https://www.digital.go.jp/policies/local_governments"]),
    ("p29@example.jp", "内部事務", "会計伝票の照合",
     "RPAで会計伝票と請求書の突き合わせを自動化しました。最初は1課だけで試し、手順書を作ってから広げています。",
     "年間約600時間の作業を削減（試行した2課の合計）", []),
    ("p47@example.jp", "情報発信", "防災・子育ての情報配信",
     "LINE公式アカウントで、防災と子育ての情報を受け取りたい人に選んで届けるようにしました。小さな村でも始められます。",
     "登録者が人口の2割を超え、問い合わせ電話が減った", []),
)


def seed_demo_cases(cohort: Cohort) -> None:
    """Post the demo cases and mark them (flushes, does not commit)."""
    from lms.auth.models import User
    from lms.extensions import db

    channel = db.session.scalar(select(Channel).where(Channel.cohort_id == cohort.id,
                                                      Channel.key == CASE_CHANNEL_KEY))
    if channel is None:
        return
    for email, field, target, body, effect, links in DEMO_CASES:
        membership = db.session.scalar(select(Membership).join(User).where(
            Membership.cohort_id == cohort.id, User.email == email))
        if membership is None:
            continue
        message, _ = post_message(membership.user, channel, body)
        save_case(membership.user, cohort, message, CaseFields(
            municipality=membership.municipality.name if membership.municipality else "",
            field=field, target=target, effect=effect, links=list(links)))
