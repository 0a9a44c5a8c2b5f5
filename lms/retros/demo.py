"""Demo retros: boards of sessions 1–2 written, voted and closed with actions, and session 3
open for writing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.cohorts.access import team_id_for
from lms.cohorts.models import Cohort, Membership
from lms.extensions import db
from lms.retros import services
from lms.retros.access import Viewer
from lms.retros.reading import boards_of_session

CARDS = {
    1: {
        "keep": ["業務量を数字で比べたら、規模が違っても同じところで困っているとわかった",
                 "ブレイクアウトで全員が最初に一言ずつ話すルールが良かった",
                 "チャットで宿題の分担を決めたら、次の回を待たずに進められた",
                 "他区の電子申請の事例を聞けて、導入の順番がイメージできた"],
        "problem": ["庁内ネットワーク(LGWAN)の端末からチャットが見られず、返信が遅れた",
                    "宿題の締切が窓口の繁忙期と重なり、ヒアリングの時間が取れなかった",
                    "チームの目標が「電子申請を導入する」と手段になっていた",
                    "話す人が偏って、小さい町村の意見があまり出なかった"],
        "try": ["各自治体の年間件数を同じ様式で集めてから比べる",
                "チャットに毎週月曜の朝、進み具合を一言ずつ書く",
                "目標を「住民が〜できる」の形で書き直す",
                "ファシリテーター役を毎回交代する"],
    },
    2: {
        "keep": ["As-Isフローを並べたら、転記の作業が全自治体にあると見えた",
                 "月曜の定例投稿で、誰が何をしているかがわかるようになった",
                 "原課の担当者に直接聞いた「困っている声」が説得力を持った"],
        "problem": ["業務フローの書き方が自治体ごとにばらばらで、比べにくかった",
                    "件数の数え方(受付ベースか発行ベースか)が揃っていなかった",
                    "録画を見る時間が取れず、欠席した回の内容に追いつけなかった"],
        "try": ["業務フローはBPMNの簡易版に揃えて書く",
                "件数は「年間の発行件数」で数え直す",
                "欠席した人向けに、チームで3行の要約をチャットに残す"],
    },
}
ACTION_COMMENTS = ["全自治体分がそろい、第2回で比べられた",
                   "繁忙期で続かなかったので、やり方を変える"]


def _team_members(cohort: Cohort) -> dict[int, list[Membership]]:
    members = db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort.id,
                                 Membership.role == "participant")
        .options(selectinload(Membership.user)).order_by(Membership.id)).all()
    teams: dict[int, list[Membership]] = {}
    for m in members:
        team_id = team_id_for(m)
        if team_id is not None:
            teams.setdefault(team_id, []).append(m)
    return teams


def _play_board(board, members: list[Membership], trainer, pools: dict, shift: int,
                final_phase: str) -> None:
    """Cards from the team, reveal, two votes each on the Try cards, two actions, close."""
    viewers = [Viewer(m.user, m, False, True) for m in members]
    staff = Viewer(trainer.user, trainer, True, False)
    n = 0
    for column in ("keep", "problem", "try"):
        for text in pools[column]:
            author = viewers[(n + shift) % len(viewers)]
            services.add_card(board, author, column=column, body=text)
            n += 1
    services.move_phase(board, trainer.user, "reveal")
    cards = list(board.cards)
    services.group_card(board, staff, cards[1].id, cards[0].id)
    services.move_phase(board, trainer.user, "vote")
    tries = [c for c in cards if c.column == "try"]
    for i, voter in enumerate(viewers):
        for card in (tries[i % len(tries)], tries[(i + shift) % len(tries) - 1]):
            if not any(v.user_id == voter.user.id for v in card.votes):
                services.cast_vote(board, voter, card.id)
    services.move_phase(board, trainer.user, "act")
    ranked = sorted(tries, key=lambda c: (-len(c.votes), c.id))[:2]
    for i, card in enumerate(ranked):
        services.add_action(board, viewers[0], title=card.body, card_id=card.id,
                            owner_id=viewers[(i + shift) % len(viewers)].user.id)
    if final_phase == "closed":
        services.move_phase(board, trainer.user, "closed")


def seed_demo_retros(cohort: Cohort) -> None:
    """Runs once on the demo cohort (teams formed); flushes."""
    services.ensure_boards(cohort.id)
    trainer = db.session.scalar(
        select(Membership).where(Membership.cohort_id == cohort.id,
                                 Membership.role == "trainer")
        .options(selectinload(Membership.user)).order_by(Membership.id).limit(1))
    teams = _team_members(cohort)
    for number in (1, 2):
        for shift, board in enumerate(boards_of_session(cohort.id, number, full=True)):
            members = teams.get(board.team_id)
            if not members:
                continue
            # The last team is still deciding its session-2 actions.
            last = number == 2 and shift == len(teams) - 1
            _play_board(board, members, trainer, CARDS[number], shift,
                        "act" if last else "closed")
            if number == 1:
                for action, (status, comment) in zip(
                        board.actions, (("done", ACTION_COMMENTS[0]),
                                        ("dropped", ACTION_COMMENTS[1])), strict=False):
                    services.update_action(action, status=status, comment=comment)
    # Session 3 is open for writing: one card already written, so others see it hidden.
    for board in boards_of_session(cohort.id, 3, full=True):
        members = teams.get(board.team_id)
        if members and len(members) > 2:
            services.add_card(board, Viewer(members[2].user, members[2], False, True),
                              column="keep", body="第2回で揃えた件数の比較表が役に立った")
    db.session.flush()
