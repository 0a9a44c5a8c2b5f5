"""Load and validate a course template: course.toml plus the Markdown files it references."""

import datetime
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lms.courses.model import (
    ChannelTemplate,
    CourseError,
    CourseTemplate,
    HomeworkTemplate,
    Material,
    ProposalSection,
    RetroColumn,
    RetroTemplate,
    RubricItem,
    SessionTemplate,
)

__all__ = [
    "COURSE_FILE",
    "DEFAULT_COURSE_DIR",
    "HOMEWORK_KINDS",
    "LATE_POLICIES",
    "ROLES",
    "ChannelTemplate",
    "CourseError",
    "CourseTemplate",
    "HomeworkTemplate",
    "Material",
    "ProposalSection",
    "RetroColumn",
    "RetroTemplate",
    "RubricItem",
    "SessionTemplate",
    "load_course",
]

COURSE_FILE = "course.toml"
DEFAULT_COURSE_DIR = Path(__file__).resolve().parents[2] / "courses" / "tokyo_dx_2021"
HOMEWORK_KINDS = ("individual", "municipality", "team")
LATE_POLICIES = ("accept", "close")
ROLES = ("organizer", "trainer", "participant")

_Table = dict[str, Any]
_Fields = tuple[str, ...]
_Build = Callable[[_Table, str], Any]
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_TOML_LINE_RE = re.compile(r"\(at line (\d+), column \d+\)")
_URL_PREFIXES = ("https://", "http://", "/")
_TYPE_NAMES = {str: "文字列", int: "整数", bool: "true/false", list: "配列", dict: "テーブル"}
_SESSION_FIELDS = tuple(
    "number title aims agenda offset_days start_time duration_minutes materials homework"
    " catchup_tasks".split()
)
_RUBRIC_FIELDS = ("key", "title", "description", "max_score", "levels")
_SECTION_FIELDS = ("key", "title", "guidance", "goal_setting")
_HOMEWORK_FIELDS = tuple(
    "key title kind instructions due_offset_days late_policy goal_setting".split()
)


def _fail(field: str, message: str, file: str = COURSE_FILE) -> NoReturn:
    raise CourseError(file, field, message)


def _name(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _typed(tbl: _Table, where: str, key: str, kind: type, required: bool = True) -> Any:
    field = _name(where, key)
    if key not in tbl:
        if required:
            _fail(field, "必須の項目がありません")
        return None
    value = tbl[key]
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        got = _TYPE_NAMES.get(type(value), type(value).__name__)
        _fail(field, f"{_TYPE_NAMES[kind]}で指定してください(指定されたのは{got})")
    return value


def _keys(tbl: _Table, where: str, allowed: tuple[str, ...]) -> None:
    for key in tbl:
        if key not in allowed:
            _fail(_name(where, key), f"不明な項目です(使える項目: {', '.join(allowed)})")


def _str(tbl: _Table, where: str, key: str) -> str:
    value = _typed(tbl, where, key, str).strip()
    if not value:
        _fail(_name(where, key), "空にできません")
    return value


def _int(tbl: _Table, where: str, key: str, low: int, high: int | None = None) -> int:
    value = _typed(tbl, where, key, int)
    if value < low or (high is not None and value > high):
        upper = f"{high}以下の" if high is not None else ""
        _fail(_name(where, key), f"{low}以上{upper}整数にしてください(指定されたのは{value})")
    return value


def _choice(tbl: _Table, where: str, key: str, choices: tuple[str, ...]) -> str:
    value = _str(tbl, where, key)
    if value not in choices:
        _fail(_name(where, key), f"「{value}」は使えません。{' / '.join(choices)} のいずれかです")
    return value


def _key(tbl: _Table, where: str, key: str = "key") -> str:
    value = _str(tbl, where, key)
    if not _KEY_RE.match(value):
        _fail(_name(where, key), f"「{value}」は使えません。英小文字・数字・_・- で書いてください")
    return value


def _str_list(tbl: _Table, where: str, key: str) -> tuple[str, ...]:
    items = _typed(tbl, where, key, list)
    if not items:
        _fail(_name(where, key), "1つ以上指定してください")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            _fail(f"{_name(where, key)}[{i}]", "空でない文字列で指定してください")
        out.append(item.strip())
    return tuple(out)


def _tables(
    tbl: _Table, where: str, key: str, fields: _Fields, required: bool = False
) -> list[tuple[str, dict]]:
    items = _typed(tbl, where, key, list, required=required) or []
    if required and not items:
        _fail(_name(where, key), "1つ以上指定してください")
    out = []
    for i, item in enumerate(items):
        field = f"{_name(where, key)}[{i}]"
        if not isinstance(item, dict):
            _fail(field, f"テーブルで指定してください([[{_name(where, key)}]] の形)")
        _keys(item, field, fields)
        out.append((field, item))
    return out


def _each(
    tbl: _Table,
    where: str,
    key: str,
    fields: _Fields,
    build: _Build,
    label: str,
    required: bool = True,
) -> tuple[Any, ...]:
    """Build every table of an array of tables, checking that their `key` values are unique."""
    seen: dict[Any, str] = {}
    out = []
    for field, item in _tables(tbl, where, key, fields, required):
        built = build(item, field)
        _unique(seen, built.key, f"{field}.key", label)
        out.append(built)
    return tuple(out)


def _unique(seen: dict[Any, str], value: Any, field: str, label: str) -> None:
    if value in seen:
        _fail(field, f"{label}「{value}」が重複しています({seen[value]} と同じ)")
    seen[value] = field


def _time(tbl: _Table, where: str, key: str) -> datetime.time:
    field = _name(where, key)
    if key not in tbl:
        _fail(field, "必須の項目がありません")
    value = tbl[key]
    if isinstance(value, datetime.time) and value.tzinfo is None:
        if value.second or value.microsecond:
            _fail(field, '秒は指定できません。"14:00" のように時:分で書いてください')
        return value
    match = _TIME_RE.match(value) if isinstance(value, str) else None
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return datetime.time(int(match[1]), int(match[2]))
    _fail(field, f'「{value}」は時刻として読めません。"14:00" のように時:分で書いてください')


class _Loader:
    """Reads one course directory; knows its root for the Markdown references."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def markdown(self, tbl: _Table, where: str, key: str) -> str:
        field = _name(where, key)
        rel = _str(tbl, where, key)
        if not rel.endswith(".md"):
            _fail(field, f"「{rel}」はMarkdownファイル(.md)ではありません")
        path = (self.root / rel).resolve()
        if Path(rel).is_absolute() or not path.is_relative_to(self.root.resolve()):
            _fail(field, f"「{rel}」はコースのフォルダの外を指しています")
        if not path.is_file():
            _fail(field, f"参照しているファイル「{rel}」が見つかりません")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            _fail(field, "文字コードが読めません。UTF-8で保存してください", file=rel)
        if not text.strip():
            _fail(field, "ファイルが空です", file=rel)
        return text

    def course(self, data: _Table) -> CourseTemplate:
        _keys(data, "", ("course", "sessions", "channels", "retro", "proposal"))
        head = _typed(data, "", "course", dict)
        _keys(head, "course", ("slug", "title", "description", "timezone", "team_size"))
        timezone = _str(head, "course", "timezone")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            _fail("course.timezone", f"「{timezone}」はタイムゾーンとして不明です(例: Asia/Tokyo)")
        proposal = _typed(data, "", "proposal", dict)
        _keys(proposal, "proposal", ("sections", "rubric"))
        return CourseTemplate(
            slug=_key(head, "course", "slug"),
            title=_str(head, "course", "title"),
            description_md=self.markdown(head, "course", "description"),
            timezone=timezone,
            team_size=_int(head, "course", "team_size", 1),
            sessions=self.sessions(data),
            channels=self.channels(data),
            retro=self.retro(_typed(data, "", "retro", dict)),
            proposal_sections=_each(
                proposal, "proposal", "sections", _SECTION_FIELDS, self.section, "章のキー"
            ),
            rubric=_each(
                proposal, "proposal", "rubric", _RUBRIC_FIELDS, _rubric_item, "評価観点のキー"
            ),
        )

    def sessions(self, data: _Table) -> tuple[SessionTemplate, ...]:
        numbers: dict[Any, str] = {}
        hw_keys: dict[Any, str] = {}
        loaded: list[tuple[str, SessionTemplate]] = []
        for where, tbl in _tables(data, "", "sessions", _SESSION_FIELDS, required=True):
            number = _int(tbl, where, "number", 1)
            _unique(numbers, number, f"{where}.number", "回の番号")
            homework = []
            for hw_where, hw in _tables(tbl, where, "homework", _HOMEWORK_FIELDS):
                item = self.homework(hw, hw_where)
                _unique(hw_keys, item.key, f"{hw_where}.key", "宿題のキー")
                homework.append(item)
            session = SessionTemplate(
                number=number,
                title=_str(tbl, where, "title"),
                aims=_str_list(tbl, where, "aims"),
                agenda_md=self.markdown(tbl, where, "agenda"),
                offset_days=_int(tbl, where, "offset_days", 0),
                start_time=_time(tbl, where, "start_time"),
                duration_minutes=_int(tbl, where, "duration_minutes", 1, 24 * 60),
                materials=tuple(
                    self.material(m, w)
                    for w, m in _tables(tbl, where, "materials", ("title", "url"))
                ),
                homework=tuple(homework),
                catchup_tasks=_str_list(tbl, where, "catchup_tasks"),
            )
            loaded.append((where, session))
        expected = list(range(1, len(loaded) + 1))
        if sorted(numbers) != expected:
            found = ", ".join(str(n) for n in sorted(numbers))
            _fail("sessions", f"回の番号は1から{len(loaded)}までの連番にします(実際: {found})")
        loaded.sort(key=lambda pair: pair[1].number)
        for (_, prev), (where, s) in zip(loaded, loaded[1:], strict=False):
            if s.offset_days <= prev.offset_days:
                _fail(f"{where}.offset_days", f"第{prev.number}回より後の日にしてください")
        for (where, s), (_, nxt) in zip(loaded, loaded[1:], strict=False):
            for j, h in enumerate(s.homework):
                if s.offset_days + h.due_offset_days >= nxt.offset_days:
                    _fail(
                        f"{where}.homework[{j}].due_offset_days",
                        f"締切は第{nxt.number}回(開始から{nxt.offset_days}日目)より前にしてください",
                    )
        return tuple(s for _, s in loaded)

    def homework(self, tbl: _Table, where: str) -> HomeworkTemplate:
        return HomeworkTemplate(
            key=_key(tbl, where),
            title=_str(tbl, where, "title"),
            kind=_choice(tbl, where, "kind", HOMEWORK_KINDS),
            instructions_md=self.markdown(tbl, where, "instructions"),
            due_offset_days=_int(tbl, where, "due_offset_days", 0),
            late_policy=_choice(tbl, where, "late_policy", LATE_POLICIES),
            goal_setting=bool(_typed(tbl, where, "goal_setting", bool, required=False)),
        )

    def material(self, tbl: _Table, where: str) -> Material:
        url = None
        if "url" in tbl:
            url = _str(tbl, where, "url")
            if not url.startswith(_URL_PREFIXES):
                _fail(f"{where}.url", "https:// / http:// / で始まるURLを指定してください")
        return Material(title=_str(tbl, where, "title"), url=url)

    def channel(self, tbl: _Table, where: str) -> ChannelTemplate:
        roles = _str_list(tbl, where, "post_roles")
        seen: dict[Any, str] = {}
        for i, role in enumerate(roles):
            if role not in ROLES:
                _fail(
                    f"{where}.post_roles[{i}]",
                    f"「{role}」は使えません。{' / '.join(ROLES)} のいずれかです",
                )
            _unique(seen, role, f"{where}.post_roles[{i}]", "役割")
        name, description = _str(tbl, where, "name"), _str(tbl, where, "description")
        return ChannelTemplate(_key(tbl, where), name, description, roles)

    def channels(self, data: _Table) -> tuple[ChannelTemplate, ...]:
        fields = ("key", "name", "description", "post_roles")
        channels = _each(data, "", "channels", fields, self.channel, "チャンネルのキー", False)
        names: dict[Any, str] = {}
        for i, channel in enumerate(channels):
            _unique(names, channel.name, f"channels[{i}].name", "チャンネル名")
        return channels

    def retro(self, tbl: _Table) -> RetroTemplate:
        _keys(tbl, "retro", ("format", "description", "carry_forward", "columns",
                             "votes_per_person"))
        columns = _each(tbl, "retro", "columns", ("key", "label", "prompt"), _column, "列のキー")
        carry = _str(tbl, "retro", "carry_forward")
        keys = [c.key for c in columns]
        if carry not in keys:
            _fail("retro.carry_forward", f"「{carry}」は列のキー({' / '.join(keys)})にありません")
        description = _str(tbl, "retro", "description") if "description" in tbl else ""
        votes = _int(tbl, "retro", "votes_per_person", 1, 20) if "votes_per_person" in tbl else 3
        return RetroTemplate(_str(tbl, "retro", "format"), columns, carry, description, votes)

    def section(self, tbl: _Table, where: str) -> ProposalSection:
        title, guidance = _str(tbl, where, "title"), self.markdown(tbl, where, "guidance")
        goal = bool(_typed(tbl, where, "goal_setting", bool, required=False))
        return ProposalSection(_key(tbl, where), title, guidance, goal)


def _column(tbl: _Table, where: str) -> RetroColumn:
    return RetroColumn(_key(tbl, where), _str(tbl, where, "label"), _str(tbl, where, "prompt"))


def _rubric_item(tbl: _Table, where: str) -> RubricItem:
    title, description = _str(tbl, where, "title"), _str(tbl, where, "description")
    max_score = _int(tbl, where, "max_score", 1, 100)
    levels = _str_list(tbl, where, "levels") if "levels" in tbl else ()
    if levels and len(levels) != max_score:
        _fail(f"{where}.levels", f"満点（{max_score}）と同じ数だけ、1点から順に書いてください"
                                 f"（指定されたのは{len(levels)}個）")
    return RubricItem(_key(tbl, where), title, description, max_score, levels)


def load_course(path: str | Path) -> CourseTemplate:
    """Load the course in directory `path` (or the course.toml file itself); raise CourseError."""
    root = Path(path)
    if root.is_file():
        root = root.parent
    toml_path = root / COURSE_FILE
    try:
        raw = toml_path.read_bytes()
    except OSError:
        raise CourseError(COURSE_FILE, "(ファイル)", f"{toml_path} が見つかりません") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CourseError(COURSE_FILE, "(ファイル)", "UTF-8で保存してください") from None
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE_RE.search(str(exc))
        line = int(match[1]) if match else raw.decode("utf-8").count("\n") + 1
        raise CourseError(
            COURSE_FILE, f"{line}行目", f"TOMLの書き方が正しくありません({exc})", line=line
        ) from None
    course = _Loader(root).course(data)
    from lms.courses.surveys import load_surveys

    return load_surveys(root, course)
