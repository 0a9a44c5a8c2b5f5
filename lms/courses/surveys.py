"""Load surveys.toml (the feedback surveys of a course) into SurveyTemplate dataclasses."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any, NoReturn

from lms.courses.model import CourseError, CourseTemplate, SurveyQuestion, SurveyTemplate

SURVEYS_FILE = "surveys.toml"
QUESTION_KINDS = ("rating", "text", "choice")
_SURVEY_FIELDS = ("key", "title", "session", "anonymous", "question_set")
_QUESTION_FIELDS = ("key", "kind", "label", "required", "choices")


def _fail(field: str, message: str) -> NoReturn:
    raise CourseError(SURVEYS_FILE, field, message)


def _check_keys(tbl: dict, where: str, allowed: tuple[str, ...]) -> None:
    for key in tbl:
        if key not in allowed:
            _fail(f"{where}.{key}", f"不明な項目です(使える項目: {', '.join(allowed)})")


def _get(tbl: dict, where: str, key: str, kind: type, required: bool = True) -> Any:
    if key not in tbl:
        if required:
            _fail(f"{where}.{key}", "必須の項目がありません")
        return None
    value = tbl[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        _fail(f"{where}.{key}", f"型が正しくありません({kind.__name__} で指定してください)")
    if isinstance(value, str) and not value.strip():
        _fail(f"{where}.{key}", "空にできません")
    return value.strip() if isinstance(value, str) else value


def _tables(data: dict, where: str, key: str) -> list[tuple[str, dict]]:
    items = _get(data, where.rstrip("."), key, list) if where else _get(data, "", key, list)
    out = []
    for i, item in enumerate(items):
        field = f"{where}{key}[{i}]"
        if not isinstance(item, dict):
            _fail(field, f"テーブルで指定してください([[{key}]] の形)")
        out.append((field, item))
    return out


def _question(tbl: dict, where: str) -> SurveyQuestion:
    _check_keys(tbl, where, _QUESTION_FIELDS)
    kind = _get(tbl, where, "kind", str)
    if kind not in QUESTION_KINDS:
        _fail(f"{where}.kind",
              f"「{kind}」は使えません。{' / '.join(QUESTION_KINDS)} のいずれかです")
    choices: tuple[str, ...] = ()
    if kind == "choice":
        raw = _get(tbl, where, "choices", list)
        if len(raw) < 2 or not all(isinstance(c, str) and c.strip() for c in raw):
            _fail(f"{where}.choices", "空でない文字列を2つ以上指定してください")
        choices = tuple(c.strip() for c in raw)
    elif "choices" in tbl:
        _fail(f"{where}.choices", "choices は kind = \"choice\" の設問にだけ書けます")
    return SurveyQuestion(key=_get(tbl, where, "key", str), kind=kind,
                          label=_get(tbl, where, "label", str),
                          required=bool(_get(tbl, where, "required", bool, required=False)),
                          choices=choices)


def parse_surveys(data: dict, session_numbers: set[int]) -> tuple[SurveyTemplate, ...]:
    """Question sets, then surveys that each name one; raises CourseError naming the field."""
    _check_keys(data, "", ("question_sets", "surveys"))
    sets: dict[str, tuple[SurveyQuestion, ...]] = {}
    for where, tbl in _tables(data, "", "question_sets"):
        _check_keys(tbl, where, ("key", "questions"))
        key = _get(tbl, where, "key", str)
        if key in sets:
            _fail(f"{where}.key", f"設問セット「{key}」が重複しています")
        questions = tuple(_question(q, w) for w, q in _tables(tbl, f"{where}.", "questions"))
        keys = [q.key for q in questions]
        if not questions or len(set(keys)) != len(keys):
            _fail(f"{where}.questions", "設問を1つ以上、キーが重複しないように書いてください")
        sets[key] = questions
    surveys, seen = [], set()
    for where, tbl in _tables(data, "", "surveys"):
        _check_keys(tbl, where, _SURVEY_FIELDS)
        key = _get(tbl, where, "key", str)
        if key in seen:
            _fail(f"{where}.key", f"アンケート「{key}」が重複しています")
        seen.add(key)
        session = _get(tbl, where, "session", int, required=False)
        if session is not None and session not in session_numbers:
            _fail(f"{where}.session", f"第{session}回は course.toml の sessions にありません")
        set_key = _get(tbl, where, "question_set", str)
        if set_key not in sets:
            _fail(f"{where}.question_set", f"設問セット「{set_key}」がありません")
        surveys.append(SurveyTemplate(
            key=key, title=_get(tbl, where, "title", str), session=session,
            anonymous=bool(_get(tbl, where, "anonymous", bool, required=False)),
            questions=sets[set_key]))
    return tuple(surveys)


def load_surveys(root: Path, course: CourseTemplate) -> CourseTemplate:
    """The course with the surveys of root/surveys.toml (none when the file is absent)."""
    path = root / SURVEYS_FILE
    if not path.is_file():
        return course
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise CourseError(SURVEYS_FILE, "(ファイル)", "UTF-8で保存してください") from None
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(SURVEYS_FILE, "(ファイル)",
                          f"TOMLの書き方が正しくありません({exc})") from None
    surveys = parse_surveys(data, {s.number for s in course.sessions})
    return dataclasses.replace(course, surveys=surveys)
