"""Give the demo's channels a chat history, as after a few weeks of a cohort, for benchmarks.

Every team room and the channels 「DXの悩みごと」「DX導入事例」 get MESSAGES messages (default 60)
from their members, with threads, @mentions and reactions; p01 has read all but the last few.
Runs against DATABASE_URL: `python bench/seed_chat.py [MESSAGES]`. Idempotent enough for a
throwaway database: it adds to whatever is there."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LINES = (
    "窓口のオンライン申請、{m}ではどこから手を付けましたか？",
    "うちは証明書発行の件数が多いので、まずそこから検討しています。",
    "@{name} 先週の事例、とても参考になりました。資料を共有いただけますか？",
    "**業務フロー図**を作ってみました。\n\n- 受付\n- 審査\n- 交付\n\nご意見ください。",
    "庁内の合意形成が一番の壁ですね……",
    "電子申請の利用率は昨年度 **12%** でした。目標は来年度末に30%です。",
    "次回までにヒアリング結果をまとめておきます。",
    "小規模自治体だと担当が一人なので、共同調達も選択肢だと思います。",
    "RPA の導入で転記作業が月20時間ほど減りました。",
    "住民アンケートの設問案を置いておきます。`選択式5問 + 自由記述1問` です。",
)


def main() -> None:
    per_channel = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    from sqlalchemy import select

    from lms.app import create_app
    from lms.auth.models import User
    from lms.channels import reading, services
    from lms.channels.models import Channel
    from lms.channels.services import mention_candidates
    from lms.cohorts.models import Cohort
    from lms.extensions import db

    app = create_app()
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.slug == "tokyo-dx-2021"))
        channels = db.session.scalars(select(Channel).where(
            Channel.cohort_id == cohort.id,
            (Channel.kind == "team") | Channel.name.in_(["DXの悩みごと", "DX導入事例"]))
            .order_by(Channel.id)).all()
        p01 = db.session.scalar(select(User).where(User.email == "p01@example.jp"))
        for channel in channels:
            people = [u for u in mention_candidates(channel) if u.email.startswith("p")]
            people.sort(key=lambda u: u.email)
            last_root = None
            for i in range(per_channel):
                author = people[i % len(people)]
                other = people[(i + 3) % len(people)]
                body = LINES[i % len(LINES)].format(m="皆さんの自治体",
                                                    name=other.name.replace(" ", ""))
                parent = last_root.id if last_root is not None and i % 7 == 3 else None
                message, _ = services.post_message(author, channel, body, parent_id=parent)
                if i % 5 == 0:
                    last_root = message
                for j in range(i % 3):
                    services.add_reaction(message, people[(i + j + 1) % len(people)],
                                          services.REACTIONS[j])
                if i == per_channel - 5 and p01 in mention_candidates(channel):
                    db.session.flush()
                    reading.mark_read(p01, channel)
            db.session.commit()
        print(f"{len(channels)} channels × {per_channel} messages")


if __name__ == "__main__":
    main()
