"""Pure export builders: each returns (headers, rows) for the shared CSV / XLSX writers.

Rows are iterables; the channel archive is a generator over batches so memory stays flat.
Times are local (Asia/Tokyo) and naive, as Excel expects."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from lms.audit.services import AuditFilter, action_label, iter_entries
from lms.auth.models import User
from lms.channels.models import Channel, Message
from lms.cohorts.models import ROLE_LABELS, Cohort, CohortMunicipality, Membership, Municipality
from lms.extensions import db
from lms.homework.progress import GROUPINGS, status_matrix
from lms.sessions.catchup import progress_by_user
from lms.sessions.models import ATTENDANCE_LABELS, Attendance
from lms.sessions.services import list_sessions
from lms.teams.models import Team
from lms.timefmt import to_tokyo

Table = tuple[Sequence[str], Iterable[Sequence]]


def local(value: datetime | None) -> datetime | None:
    return to_tokyo(value).replace(tzinfo=None, microsecond=0) if value is not None else None


def _team_names(cohort: Cohort) -> dict[str, str]:
    """Municipality code → team name, in one query."""
    return dict(db.session.execute(
        select(CohortMunicipality.municipality_code, Team.name)
        .join(Team, Team.id == CohortMunicipality.team_id)
        .where(CohortMunicipality.cohort_id == cohort.id)).all())


def _members(cohort: Cohort, participants_only: bool = False):
    query = (select(Membership, User, Municipality)
             .join(User, User.id == Membership.user_id)
             .outerjoin(Municipality, Municipality.code == Membership.municipality_code)
             .where(Membership.cohort_id == cohort.id))
    if participants_only:
        query = query.where(Membership.role == "participant")
    order = {"organizer": 0, "trainer": 1, "participant": 2}
    rows = db.session.execute(query.order_by(Membership.municipality_code, Membership.id)).all()
    return sorted(rows, key=lambda r: order[r[0].role])


def participants_table(cohort: Cohort) -> Table:
    """Everyone enrolled: role, municipality, team, whether they have set a password."""
    headers = ["氏名", "メールアドレス", "役割", "自治体コード", "自治体", "部署", "チーム",
               "パスワード設定", "登録日時"]
    teams = _team_names(cohort)
    rows = [[u.name, u.email, ROLE_LABELS[m.role], m.municipality_code or "",
             muni.name if muni else "", m.department, teams.get(m.municipality_code or "", ""),
             "設定済" if u.password_hash else "未設定（招待待ち）", local(m.created_at)]
            for m, u, muni in _members(cohort)]
    return headers, rows


def attendance_table(cohort: Cohort) -> Table:
    """One row per participant and session: attendance and catch-up progress."""
    headers = ["回", "開催日", "氏名", "メールアドレス", "自治体", "チーム", "出欠",
               "参加時間（分）", "記録方法", "キャッチアップ完了", "キャッチアップ項目数"]
    sessions = list_sessions(cohort.id)
    people = _members(cohort, participants_only=True)
    teams = _team_names(cohort)
    records = {(a.session_id, a.user_id): a for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id.in_([s.id for s in sessions])))}
    rows = []
    for ws in sessions:
        ticked = progress_by_user(ws)
        for m, u, muni in people:
            a = records.get((ws.id, u.id))
            rows.append([ws.label, local(ws.starts_at).date(), u.name, u.email,
                         muni.name if muni else "", teams.get(m.municipality_code or "", ""),
                         ATTENDANCE_LABELS[a.status] if a else "未記録",
                         a.minutes if a and a.minutes is not None else "",
                         {"manual": "手入力", "import": "レポート取込"}.get(a.source, "") if a
                         else "", ticked.get(u.id, 0), len(ws.catchup_tasks)])
    return headers, rows


def homework_status_table(cohort: Cohort, by: str = "person") -> Table:
    """The status matrix: one row per person / municipality / team, one column per homework."""
    matrix = status_matrix(cohort, by)
    second = {"person": "自治体", "municipality": "チーム", "team": ""}[matrix.by]
    headers = [GROUPINGS[matrix.by]] + ([second] if second else []) + [
        f"{c.homework.session.label} {c.homework.title}（{c.homework.kind_label}）"
        for c in matrix.columns] + ["提出数", "対象数"]
    rows = []
    for row in matrix.rows:
        rows.append([row.label] + ([row.sublabel] if second else [])
                    + [cell.label for cell in row.cells] + [row.done, row.total])
    return headers, rows


ARCHIVE_HEADERS = ["チャンネル", "種類", "チーム", "投稿番号", "返信先", "投稿日時", "投稿者",
                   "自治体", "本文", "編集日時", "状態"]


def channel_archive_rows(cohort: Cohort, batch: int = 2000) -> Iterator[list]:
    """Every message of every channel (team rooms included), oldest first per channel.

    Plain columns (no ORM objects) read with yield_per: memory does not grow with the
    number of messages. Deleted and hidden messages keep their place without their text."""
    author = aliased(User)
    query = (
        select(Channel.name, Channel.kind, Team.name, Message.id, Message.parent_id,
               Message.created_at, author.name, Municipality.name, Message.body,
               Message.edited_at, Message.deleted_at, Message.hidden_at)
        .join(Channel, Channel.id == Message.channel_id)
        .outerjoin(Team, Team.id == Channel.team_id)
        .join(author, author.id == Message.author_id)
        .outerjoin(Membership, and_(Membership.cohort_id == Channel.cohort_id,
                                    Membership.user_id == Message.author_id))
        .outerjoin(Municipality, Municipality.code == Membership.municipality_code)
        .where(Channel.cohort_id == cohort.id)
        .order_by(Channel.kind, Channel.position, Channel.id, Message.id)
        .execution_options(yield_per=batch))
    for (channel, kind, team, msg_id, parent_id, created, name, muni, body, edited, deleted,
         hidden) in db.session.execute(query):
        state = "削除済" if deleted else ("非表示（講師）" if hidden else "")
        yield [channel, "チームルーム" if kind == "team" else "全体", team or "", msg_id,
               parent_id or "", local(created), name, muni or "", "" if state else body,
               local(edited), state]


def channel_archive_table(cohort: Cohort) -> Table:
    return ARCHIVE_HEADERS, channel_archive_rows(cohort)


AUDIT_HEADERS = ["日時", "操作", "操作した人", "対象", "対象の種類", "対象ID", "変更前", "変更後"]


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit_table(cohort: Cohort, flt: AuditFilter | None = None) -> Table:
    rows = ([local(e.created_at), action_label(e.action), e.actor_label, e.target_label,
             e.target_type, e.target_id, _json(e.before), _json(e.after)]
            for e in iter_entries(cohort.id, flt))
    return AUDIT_HEADERS, rows


# name → (Japanese title, builder, streams?) — the exports page lists them in this order.
EXPORTS: dict[str, tuple[str, object, bool]] = {
    "participants": ("受講者名簿", participants_table, False),
    "attendance": ("出欠・キャッチアップ", attendance_table, False),
    "homework": ("宿題の提出状況（マトリクス）", homework_status_table, False),
    "channels": ("チャンネルの記録（全投稿）", channel_archive_table, True),
    "audit": ("操作ログ", audit_table, True),
}
