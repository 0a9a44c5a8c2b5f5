"""Demo chat: team rooms with a history (one team where only one municipality talks, one quiet
team), and a few posts in the cohort channels, so a newcomer sees what each room is for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.channels.models import Channel
from lms.channels.services import add_reaction, post_message
from lms.cohorts.models import Cohort, Membership
from lms.db import utcnow
from lms.extensions import db
from lms.timefmt import TOKYO


@dataclass(frozen=True)
class Line:
    who: int | str  # the n-th municipality of the team (its first participant), or an email
    body: str  # "{m0}" becomes an @mention of the first municipality's speaker
    hours_ago: float
    reply_to: int | None = None  # index of an earlier line of the same room
    reactions: tuple[str, ...] = ()


TRAINER = "trainer1@example.jp"
PROMPT = ("第2回の宿題「As-Is業務フロー」、どの業務を選んだか、ヒアリングで分かったことを"
          "チームで共有しましょう。途中のものでも大丈夫です。")

# Team number → its room's history, oldest first. Team 3: one municipality does all the
# talking (what the trainer's console flags); team 5: nobody has answered the prompt.
TEAM_TALK: dict[int, tuple[Line, ...]] = {
    1: (
        Line(TRAINER, PROMPT, 150),
        Line(0, "うちは転入手続きを選びました。窓口で平均40分かかっていて、"
                "記入台で迷う人が多いです。",
             140, reactions=("👍",)),
        Line(1, "{m0} 転入はうちも候補でした！様式は何枚ありますか？", 138, reply_to=1),
        Line(0, "住民異動届に国保・児童手当の関係が加わって、最大7枚です。", 137, reply_to=1),
        Line(2, "子育て関連の申請を選びました。紙の申請書が課ごとに違っていて、同じことを何度も"
                "書いてもらっています。", 120),
        Line(3, "ヒアリングは来週火曜に市民課で実施予定です。"
                "質問票のひな形を共有してもいいですか？",
             70, reactions=("🙏", "👍")),
        Line(4, "ぜひお願いします！共通の質問票があると、5つの自治体で比べやすくなりますね。", 68,
             reply_to=5),
        Line(3, "「DX導入事例」にあった書かない窓口の事例、To-Beの参考になりそうです。", 20),
    ),
    2: (
        Line(TRAINER, PROMPT, 150),
        Line(1, "介護保険の要介護認定申請にしました。ケアマネさん経由の郵送が多く、受付の入力に"
                "時間がかかっています。", 100),
        Line(0, "うちは道路の損傷通報です。電話で受けて紙に書き、担当課に回しているので、"
                "どこまで対応したか住民に伝えられていません。", 90, reactions=("👀",)),
        Line(3, "通報は写真があると現場確認が減りそうですね。", 88, reply_to=2),
        Line(2, "ヒアリングで「一番困っているのは問い合わせ対応」と言われました。手続そのもの"
                "より、進み具合の問い合わせが多いそうです。", 40),
        Line(4, "それ、うちも同じです！As-Isに「問い合わせ」の線を足してみます。", 38, reply_to=4),
    ),
    3: (
        Line(TRAINER, PROMPT, 150),
        Line(0, "税証明の発行にしました。郵送請求が月に300件ほどあります。", 110),
        Line(0, "ヒアリングの結果をまとめました。定額小為替の確認に一番時間がかかっています。", 80),
        Line(0, "皆さんの自治体ではどの業務にしましたか？", 30),
        Line(0, "来週までにAs-Isフローを清書して共有します。", 10),
    ),
    4: (
        Line(TRAINER, PROMPT, 150),
        Line(2, "粗大ごみの申込みです。電話がつながりにくいという苦情が毎年出ます。", 130),
        Line(1, "うちも粗大ごみを検討しました。申込みの半分が月曜午前に集中しています。", 125,
             reply_to=1, reactions=("😮",)),
        Line(0, "図書館の利用者登録にしました。来館が必要で、平日に来られない人が困っています。",
             60),
        Line(4, "小さな村なので、窓口の件数は少ないですが、職員1人がいろいろな手続を兼ねています。"
                "その流れを描いてみます。", 45),
        Line(3, "{m2} 業務説明表の「判断が必要な箇所」欄、どう書いていますか？", 12),
    ),
    5: (Line(TRAINER, PROMPT, 150),),
}

COHORT_TALK: dict[str, tuple[Line, ...]] = {
    "oshirase": (
        Line("organizer@example.jp", "第3回の資料を「研修回」のページに掲載しました。当日までに"
             "目を通しておいてください。会議URLは前回と同じです。", 30),
    ),
    "dx_nayami": (
        Line("p07@example.jp", "庁内でDXの話をすると「システムを入れる話」と"
             "受け取られてしまいます。"
             "業務の見直しだと伝えるのに、皆さんどう説明していますか？", 96, reactions=("👍",)),
        Line("p18@example.jp", "うちでは、まず窓口の待ち時間を一緒に測るところから始めました。"
             "数字があると話が進みやすいです。", 90, reply_to=0, reactions=("🙏",)),
        Line("trainer2@example.jp", "良い方法ですね。第3回で扱う「ゴールとKPI」もこの話に"
             "つながります。", 85, reply_to=0),
    ),
}


def _people(cohort: Cohort) -> dict[str, User]:
    return {u.email: u for u in db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id))}


def _first_of_each_municipality(cohort: Cohort, room: Channel) -> list[User]:
    """One participant per municipality of the room's team, in municipality order."""
    from lms.cohorts.models import CohortMunicipality

    rows = db.session.execute(
        select(CohortMunicipality.municipality_code, User)
        .join(Membership, (Membership.municipality_code == CohortMunicipality.municipality_code)
              & (Membership.cohort_id == CohortMunicipality.cohort_id))
        .join(User, User.id == Membership.user_id)
        .where(CohortMunicipality.cohort_id == cohort.id,
               CohortMunicipality.team_id == room.team_id, Membership.role == "participant")
        .order_by(CohortMunicipality.municipality_code, User.email)).all()
    first: dict[str, User] = {}
    for code, user in rows:
        first.setdefault(code, user)
    return list(first.values())


def _office_hours(hours_ago: float) -> datetime:
    """A time `hours_ago` back, moved into office hours (09:00–18:00 in Tokyo) so the demo
    does not show posts at 2 a.m.; a larger `hours_ago` is always earlier."""
    now = utcnow().astimezone(TOKYO)
    last_day = now.date() if now.hour >= 18 else now.date() - timedelta(days=1)
    day = last_day - timedelta(days=int(hours_ago // 24))
    minutes = 18 * 60 - int((hours_ago % 24) * 60 * 9 / 24)
    return datetime.combine(day, time(minutes // 60, minutes % 60), TOKYO).astimezone(UTC)


def _post_lines(room: Channel, lines: tuple[Line, ...], speakers: list[User],
                people: dict[str, User]) -> None:
    posted = []
    for line in lines:
        author = people.get(line.who) if isinstance(line.who, str) else (
            speakers[line.who] if line.who < len(speakers) else None)
        if author is None:
            continue
        parent = posted[line.reply_to] if line.reply_to is not None else None
        body = line.body
        for i, speaker in enumerate(speakers):
            body = body.replace(f"{{m{i}}}", "@" + "".join(speaker.name.split()))
        message, _ = post_message(author, room, body,
                                  parent_id=parent.id if parent else None)
        message.created_at = _office_hours(line.hours_ago)
        for i, emoji in enumerate(line.reactions):
            reactor = speakers[(i + 1) % len(speakers)] if speakers else None
            if reactor is not None and reactor.id != author.id:
                add_reaction(message, reactor, emoji)
        posted.append(message)
    db.session.flush()


def seed_demo_chat(cohort: Cohort) -> None:
    """Post the demo history (flushes, does not commit). Does nothing for a room that
    already has messages, so running it twice adds nothing."""
    from lms.channels.models import Message
    from lms.teams.models import Team

    people = _people(cohort)
    rooms = db.session.execute(
        select(Channel, Team.number).join(Team, Team.id == Channel.team_id)
        .where(Channel.cohort_id == cohort.id, Channel.kind == "team")).all()
    used = set(db.session.scalars(select(Message.channel_id).join(Channel).where(
        Channel.cohort_id == cohort.id)))
    for room, number in rooms:
        if room.id not in used and number in TEAM_TALK:
            _post_lines(room, TEAM_TALK[number], _first_of_each_municipality(cohort, room),
                        people)
    participants = [u for e, u in sorted(people.items()) if e.startswith("p")]
    for key, lines in COHORT_TALK.items():
        channel = db.session.scalar(select(Channel).where(Channel.cohort_id == cohort.id,
                                                          Channel.key == key))
        if channel is not None and channel.id not in used:
            _post_lines(channel, lines, participants[:5], people)
