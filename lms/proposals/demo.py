"""Demo proposals: each of the five teams in another state, with realistic Japanese text."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.cohorts.access import team_id_for
from lms.cohorts.models import Cohort, Membership
from lms.extensions import db
from lms.proposals import review as reviewing
from lms.proposals import services
from lms.proposals.access import Viewer
from lms.teams.models import Team

COMMON = {
    "team": "# {title}\n\n- 参加自治体：{names}\n- 提案全体の取りまとめ：{lead}（{muni}）\n"
            "- 各章の担当：自治体ごとに分担（下記の各章に記載）",
    "structure": "- 責任者：各自治体の担当課長\n- 事務局：{muni}の情報政策担当\n"
                 "- 2週間ごとにオンラインで進み具合を確かめ、うまくいかない点はすぐ直す",
    "risks": "- 人事異動で担当者が替わる → 引継ぎ用の業務説明表とフローを共有フォルダに残す\n"
             "- 住民の利用が伸びない → 窓口で案内し、使いにくい点を月1回集めて直す",
}
THEMES = [
    {  # 下書き: the goal is still a means
        "title": "保育園の入園申請を、窓口に来なくても終えられるようにする",
        "background": "4月入園の申請が11月に集中し、窓口の待ち時間は最大90分（令和4年度・"
                      "世田谷区の実測）。申請書は平均12枚で、記入漏れによる差し戻しが約3割ある。",
        "vision_goal": "電子申請を導入する。\n保育園の申請をオンライン化する。",
        "measures": "- 電子申請（ぴったりサービス）を使う\n- 就労証明書の様式を統一する",
    },
    {  # 提出済: waiting for the trainers, with an unreleased comment
        "title": "学童クラブの申込みで、保護者が書く手間と待つ時間を減らす",
        "background": "学童クラブの申込みは年間約3,200件（5自治体合計）。保護者は平日の"
                      "開庁時間に2回来庁する必要があり、アンケートでは68%が「負担」と回答した。",
        "vision_goal": "令和6年4月の申込みまでに、学童クラブを申し込む保護者の来庁回数を"
                       "平均2回から0.5回以下にする。\n申込み1件あたりの職員の処理時間を"
                       "30分から15分に半減する。",
        "measures": "- 申込みフォームを5自治体で共通の項目にする\n- 電子申請を手段として導入し、"
                    "就労証明は事業者からの直接提出にする",
        "rollout": "申込み項目の8割は5自治体で共通にできる。利用料の減免の基準は自治体ごとに残す。",
    },
    {  # 要修正: the review was released with comments and scores
        "title": "乳幼児健診の案内と予約を、保護者の都合に合わせられるようにする",
        "background": "乳幼児健診の受診率は3歳児で91%。予約変更は電話のみで、"
                      "1自治体あたり月に約150件の電話対応がある。",
        "vision_goal": "令和6年度中に、健診の予約を変更したい保護者が電話をせずに変更できる"
                       "割合を80%にする。",
        "measures": "- 予約システムの導入\n- 案内文のやさしい日本語化",
    },
    {  # 承認: released and approved
        "title": "粗大ごみの申込みを24時間、待たずにできるようにする",
        "background": "粗大ごみの受付電話は月曜午前に集中し、つながるまで平均12分（令和4年度"
                      "・5自治体の実測）。受付は年間約4万件。",
        "vision_goal": "令和6年3月までに、粗大ごみを申し込む住民のうち電話を使わずに申し込める"
                       "人の割合を30%から70%にする。\n受付の電話の待ち時間を平均12分から3分に"
                       "短くする。",
        "measures": "- 品目と料金の一覧を5自治体で共通の形式にする\n- ネット受付と手数料の"
                    "キャッシュレス決済を共同で調達する",
        "rollout": "品目の分類は共通化できる。収集日と料金は自治体ごとに残す。"
                   "共同調達により1自治体あたりの費用を約4割下げられる見込み。",
        "effect": "職員の電話受付時間を年間約1,800時間削減（推計：4万件×2.7分）。",
    },
    {  # 再提出: changes requested earlier, changed and submitted again
        "title": "証明書の郵送請求を、書類を書かずに終えられるようにする",
        "background": "住民票の写し等の郵送請求は年間約9,000件。請求書の不備による問合せが"
                      "約2割あり、返送までに平均10日かかる。",
        "vision_goal": "令和6年度末までに、郵送で証明書を請求する住民が受け取るまでの日数を"
                       "平均10日から5日に短くする。",
        "measures": "- オンラインで請求できるフォーム\n- 手数料のキャッシュレス決済",
    },
]


def _team_members(cohort: Cohort) -> dict[int, list[Membership]]:
    members = db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort.id,
                                 Membership.role == "participant")
        .options(selectinload(Membership.user), selectinload(Membership.municipality))
        .order_by(Membership.id)).all()
    out: dict[int, list[Membership]] = {}
    for m in members:
        team_id = team_id_for(m)
        if team_id is not None:
            out.setdefault(team_id, []).append(m)
    return out


def seed_demo_proposals(cohort: Cohort) -> None:
    """Runs once, on the cohort build_demo has just created (teams formed); flushes."""
    trainers = db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort.id,
                                 Membership.role == "trainer")
        .options(selectinload(Membership.user)).order_by(Membership.id)).all()
    trainer = trainers[0]
    staff = Viewer(trainer, None, False)
    members = _team_members(cohort)
    teams = db.session.scalars(select(Team).where(Team.cohort_id == cohort.id)
                               .options(selectinload(Team.members)).order_by(Team.number)).all()
    for index, team in enumerate(teams):
        proposal = services.ensure_team_proposal(team)
        people = members.get(team.id, [])
        if len(people) < 2:
            continue
        theme = THEMES[index % len(THEMES)]
        first, second = people[0], people[2] if len(people) > 2 else people[1]
        names = "・".join(cm.municipality.name for cm in team.members)
        texts = {key: text.format(title=theme["title"], names=names, lead=first.user.name,
                                  muni=first.municipality.name)
                 for key, text in COMMON.items()}
        texts.update({k: v for k, v in theme.items() if k != "title"})
        writer = Viewer(first, team.id, False)
        # Two members wrote in turns: two revisions, so the history has a diff.
        half = dict(list(texts.items())[: len(texts) // 2])
        services.save_proposal(proposal, writer, first.user, revision=proposal.revision,
                               sections=half)
        services.save_proposal(proposal, Viewer(second, team.id, False), second.user,
                               revision=proposal.revision, sections=texts)
        if index == 0:
            continue  # 下書き, with the means-as-goal
        services.submit_proposal(proposal, writer, first.user)
        if index == 1:
            reviewing.add_comment(proposal, staff, trainer.user, section="rollout",
                                  body="共通にできない2割が何かも書いてください。")
            reviewing.save_review(proposal, staff, trainer.user,
                                  data={"scores": {"problem": 4, "goal": 5}})
            continue
        if index == 2:
            root = reviewing.add_comment(
                proposal, staff, trainer.user, section="vision_goal",
                body="成果で書けています。**基準値**（いまの割合）も書くと測れます。")
            reviewing.add_comment(proposal, staff, trainer.user, section="measures",
                                  body="「予約システムの導入」がどの指標に効くのかを書いて"
                                       "ください。やさしい日本語化は良い施策です。")
            reviewing.add_comment(proposal, staff, trainer.user, section="rollout",
                                  body="横展開の章が空です。5自治体で共通にできることを検討"
                                       "しましょう。")
            reviewing.save_review(proposal, staff, trainer.user, data={
                "scores": {"problem": 3, "goal": 4, "measures": 2, "rollout": 1,
                           "feasibility": 3},
                "decision": "changes_requested", "release": True})
            reviewing.add_comment(proposal, writer, first.user, parent_id=root.id,
                                  section=None, body="令和4年度の割合（35%）を追記します。")
            continue
        if index == 3:
            reviewing.add_comment(proposal, staff, trainer.user, section="effect",
                                  body="推計の前提まで書かれていて、幹部に説明しやすい提案です。")
            reviewing.save_review(proposal, staff, trainer.user, data={
                "scores": {"problem": 5, "goal": 5, "measures": 4, "rollout": 5,
                           "feasibility": 4},
                "decision": "approved", "release": True})
            continue
        reviewing.add_comment(proposal, staff, trainer.user, section="measures",
                              body="施策が目標（日数の短縮）にどうつながるかを書いてください。")
        reviewing.save_review(proposal, staff, trainer.user, data={
            "scores": {"problem": 3, "goal": 4, "measures": 2}, "decision": "changes_requested",
            "release": True})
        services.save_proposal(proposal, writer, first.user, revision=proposal.revision,
                               sections={"measures": theme["measures"] + "\n- 請求から発送まで"
                                         "の手順を見直し、確認を1回にする（日数の短縮に効く）"})
        services.submit_proposal(proposal, writer, first.user)
    db.session.flush()
