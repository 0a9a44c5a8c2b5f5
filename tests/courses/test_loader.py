"""Tests for the course template loader: the real Tokyo course and every validation error."""

import ast
import dataclasses
import datetime
import re
from pathlib import Path

import pytest

from lms.courses import (
    DEFAULT_COURSE_DIR,
    HOMEWORK_KINDS,
    CourseError,
    CourseTemplate,
    load_course,
)

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

MINI = """\
[course]
slug = "mini"
title = "ミニ研修"
description = "description.md"
timezone = "Asia/Tokyo"
team_size = 5

[[sessions]]
number = 1
title = "第1回"
aims = ["ねらい"]
agenda = "s1.md"
offset_days = 0
start_time = "14:00"
duration_minutes = 120
catchup_tasks = ["録画を視聴する"]

[[sessions.materials]]
title = "資料"
url = "/static/slides.pdf"

[[sessions.homework]]
key = "h1"
title = "宿題1"
kind = "team"
instructions = "h1.md"
due_offset_days = 7
late_policy = "accept"
goal_setting = true

[[sessions]]
number = 2
title = "第2回"
aims = ["ねらい2"]
agenda = "s2.md"
offset_days = 28
start_time = "15:30"
duration_minutes = 90
catchup_tasks = ["要約を読む"]

[[sessions.homework]]
key = "h2"
title = "宿題2"
kind = "individual"
instructions = "h1.md"
due_offset_days = 14
late_policy = "close"

[[channels]]
key = "info"
name = "お知らせ"
description = "連絡"
post_roles = ["organizer", "trainer"]

[retro]
format = "KPT"
carry_forward = "try"

[[retro.columns]]
key = "keep"
label = "Keep"
prompt = "よかったことは?"

[[retro.columns]]
key = "try"
label = "Try"
prompt = "次に試すことは?"

[[proposal.sections]]
key = "goal"
title = "ビジョンと目標"
guidance = "goal.md"

[[proposal.rubric]]
key = "goal"
title = "目標設定"
description = "成果で書かれているか"
max_score = 5
"""

MARKDOWN = ("description.md", "s1.md", "s2.md", "h1.md", "goal.md")


@pytest.fixture(scope="module")
def course() -> CourseTemplate:
    return load_course(DEFAULT_COURSE_DIR)


def write_course(root: Path, text: str = MINI) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.toml").write_text(text, encoding="utf-8")
    for name in MARKDOWN:
        (root / name).write_text(f"# {name}\n本文\n", encoding="utf-8")
    return root


def mutate(old: str, new: str) -> str:
    assert MINI.count(old) == 1, old
    return MINI.replace(old, new)


def load_error(tmp_path: Path, text: str) -> CourseError:
    with pytest.raises(CourseError) as info:
        load_course(write_course(tmp_path / "c", text))
    return info.value


# ------------------------------------------------------------------ the real course


def test_real_course_has_five_japanese_sessions(course: CourseTemplate) -> None:
    assert course.slug == "tokyo_dx_2021"
    assert course.title == "東京都区市町村向け自治体変革PJ-DX研修2021"
    assert course.timezone == "Asia/Tokyo"
    assert course.team_size == 5
    assert [s.number for s in course.sessions] == [1, 2, 3, 4, 5]
    for s in course.sessions:
        assert JAPANESE.search(s.title), s.title
        assert s.aims and s.catchup_tasks and s.homework and s.agenda_md.strip()
        assert s.start_time == datetime.time(14, 0)
    assert "録画を視聴する" in course.sessions[0].catchup_tasks


def test_real_course_sessions_are_monthly(course: CourseTemplate) -> None:
    offsets = [s.offset_days for s in course.sessions]
    assert offsets[0] == 0
    assert all(21 <= b - a <= 42 for a, b in zip(offsets, offsets[1:], strict=False))


def test_real_course_homework_is_due_before_next_session(course: CourseTemplate) -> None:
    for s, nxt in zip(course.sessions, course.sessions[1:], strict=False):
        for h in s.homework:
            assert s.offset_days + h.due_offset_days < nxt.offset_days, h.key
            assert h.kind in HOMEWORK_KINDS and h.instructions_md.strip()
    kinds = {h.kind for s in course.sessions for h in s.homework}
    assert kinds == {"individual", "municipality", "team"}


def test_real_course_has_team_goal_setting_homework(course: CourseTemplate) -> None:
    goal_hw = [h for s in course.sessions for h in s.homework if h.goal_setting]
    assert goal_hw and all(h.kind == "team" for h in goal_hw)
    assert course.homework(goal_hw[0].key) is goal_hw[0]
    with pytest.raises(KeyError):
        course.homework("no_such_homework")


def test_real_course_channels(course: CourseTemplate) -> None:
    by_name = {c.name: c for c in course.channels}
    assert set(by_name) == {"DXの悩みごと", "DX導入事例", "お知らせ"}
    assert set(by_name["お知らせ"].post_roles) == {"organizer", "trainer"}
    for name in ("DXの悩みごと", "DX導入事例"):
        assert "participant" in by_name[name].post_roles


def test_real_course_retro_is_kpt_carrying_try(course: CourseTemplate) -> None:
    assert course.retro.format == "KPT"
    assert [c.key for c in course.retro.columns] == ["keep", "problem", "try"]
    assert course.retro.carry_forward == "try"
    for col, word in zip(course.retro.columns, ("Keep", "Problem", "Try"), strict=True):
        assert word in col.label and JAPANESE.search(col.label) and JAPANESE.search(col.prompt)


def test_real_course_proposal_sections_and_rubric(course: CourseTemplate) -> None:
    titles = [p.title for p in course.proposal_sections]
    assert len(titles) == 13
    expected = ("背景と現状の課題", "ビジョンと目標", "施策・手段", "横展開・標準化の検討")
    assert all(title in titles for title in expected)
    assert [p.title for p in course.proposal_sections if p.goal_setting] == ["ビジョンと目標"]
    assert all(p.guidance_md.strip() for p in course.proposal_sections)
    assert course.rubric and all(r.max_score > 0 for r in course.rubric)
    assert "方法をゴールや目標に置かない" in course.description_md


def test_real_course_is_frozen(course: CourseTemplate) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        course.title = "x"  # type: ignore[misc]
    assert course.session(3).number == 3
    assert isinstance(course.sessions, tuple) and isinstance(course.sessions[0].aims, tuple)


def test_default_dir_points_into_repo() -> None:
    assert DEFAULT_COURSE_DIR.name == "tokyo_dx_2021"
    assert (DEFAULT_COURSE_DIR / "course.toml").is_file()
    assert load_course(str(DEFAULT_COURSE_DIR / "course.toml")).slug == "tokyo_dx_2021"


def test_package_does_not_import_flask() -> None:
    package = Path(load_course.__code__.co_filename).parent
    for path in (package / name for name in ("__init__.py", "loader.py", "model.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in getattr(node, "names", [])]
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if isinstance(node, ast.Import | ast.ImportFrom):
                assert not any(n.split(".")[0].startswith("flask") for n in names), path


# ------------------------------------------------------------------ small valid templates


def test_mini_course_loads(tmp_path: Path) -> None:
    course = load_course(write_course(tmp_path))
    assert [s.number for s in course.sessions] == [1, 2]
    assert course.sessions[1].start_time == datetime.time(15, 30)
    assert course.sessions[0].materials[0].url == "/static/slides.pdf"
    assert course.sessions[0].homework[0].goal_setting is True
    assert course.sessions[1].homework[0].goal_setting is False
    assert course.sessions[1].homework[0].late_policy == "close"
    assert course.proposal_sections[0].goal_setting is False


def test_sessions_may_be_written_in_any_order(tmp_path: Path) -> None:
    text = mutate("number = 1", "number = 9").replace("number = 2", "number = 1")
    text = text.replace("number = 9", "number = 2")
    text = text.replace("offset_days = 0", "offset_days = 40")
    text = text.replace("due_offset_days = 14", "due_offset_days = 7")
    course = load_course(write_course(tmp_path, text))
    assert [s.title for s in course.sessions] == ["第2回", "第1回"]


def test_toml_local_time_is_accepted(tmp_path: Path) -> None:
    course = load_course(write_course(tmp_path, mutate('"15:30"', "15:30:00")))
    assert course.sessions[1].start_time == datetime.time(15, 30)


def test_markdown_with_bom_is_read(tmp_path: Path) -> None:
    root = write_course(tmp_path)
    (root / "s1.md").write_bytes("\ufeff# 次第\n".encode())
    assert load_course(root).sessions[0].agenda_md == "# 次第\n"


# ------------------------------------------------------------------ validation errors

ERRORS = [
    # (old text, new text, field, part of the message)
    ('title = "ミニ研修"\n', "", "course.title", "必須"),
    ('title = "ミニ研修"', 'title = "  "', "course.title", "空"),
    ("team_size = 5", 'team_size = "5"', "course.team_size", "整数"),
    ("team_size = 5", "team_size = true", "course.team_size", "整数"),
    ("team_size = 5", "team_size = 0", "course.team_size", "1以上"),
    ('slug = "mini"', 'slug = "ミニ"', "course.slug", "英小文字"),
    ('timezone = "Asia/Tokyo"', 'timezone = "Tokyo"', "course.timezone", "タイムゾーン"),
    ('aims = ["ねらい"]', 'aims = "ねらい"', "sessions[0].aims", "配列"),
    ('aims = ["ねらい"]', "aims = []", "sessions[0].aims", "1つ以上"),
    ('aims = ["ねらい"]', 'aims = ["ねらい", ""]', "sessions[0].aims[1]", "空でない"),
    ('title = "第1回"', "titel = 1", "sessions[0].titel", "不明な項目"),
    ('kind = "team"', 'kind = "group"', "sessions[0].homework[0].kind", "individual"),
    (
        'late_policy = "accept"',
        'late_policy = "later"',
        "sessions[0].homework[0].late_policy",
        "accept / close",
    ),
    (
        "goal_setting = true",
        'goal_setting = "yes"',
        "sessions[0].homework[0].goal_setting",
        "true/false",
    ),
    (
        'post_roles = ["organizer", "trainer"]',
        'post_roles = ["organizer", "admin"]',
        "channels[0].post_roles[1]",
        "organizer / trainer / participant",
    ),
    ("number = 2", "number = 1", "sessions[1].number", "重複"),
    ("number = 2", "number = 3", "sessions", "連番"),
    ("number = 1", "number = 0", "sessions[0].number", "1以上"),
    ('key = "h2"', 'key = "h1"', "sessions[1].homework[0].key", "重複"),
    ('key = "try"', 'key = "keep"', "retro.columns[1].key", "重複"),
    ('carry_forward = "try"', 'carry_forward = "action"', "retro.carry_forward", "列のキー"),
    ('agenda = "s2.md"', 'agenda = "missing.md"', "sessions[1].agenda", "missing.md"),
    ('agenda = "s2.md"', 'agenda = "s2.txt"', "sessions[1].agenda", ".md"),
    ('agenda = "s2.md"', 'agenda = "../other/s2.md"', "sessions[1].agenda", "フォルダの外"),
    ('start_time = "14:00"', 'start_time = "25:00"', "sessions[0].start_time", "時刻"),
    ('start_time = "14:00"', 'start_time = "午後2時"', "sessions[0].start_time", "時刻"),
    ('start_time = "14:00"', "start_time = 1400", "sessions[0].start_time", "時刻"),
    ('start_time = "14:00"', "start_time = 14:00:30", "sessions[0].start_time", "秒"),
    ("offset_days = 28", "offset_days = 0", "sessions[1].offset_days", "第1回より後"),
    (
        "due_offset_days = 7",
        "due_offset_days = 28",
        "sessions[0].homework[0].due_offset_days",
        "第2回",
    ),
    (
        'url = "/static/slides.pdf"',
        'url = "javascript:alert(1)"',
        "sessions[0].materials[0].url",
        "https://",
    ),
    ("max_score = 5", "max_score = 0", "proposal.rubric[0].max_score", "1以上"),
    ('guidance = "goal.md"', "guidance = 3", "proposal.sections[0].guidance", "文字列"),
    ('[retro]\nformat = "KPT"\n', "[retro]\n", "retro.format", "必須"),
]


@pytest.mark.parametrize(("old", "new", "field", "fragment"), ERRORS)
def test_validation_error_names_file_and_field(
    tmp_path: Path, old: str, new: str, field: str, fragment: str
) -> None:
    error = load_error(tmp_path, mutate(old, new))
    assert (error.file, error.field) == ("course.toml", field)
    assert fragment in error.message
    assert str(error) == f"course.toml: {field}: {error.message}"


def test_missing_top_level_table(tmp_path: Path) -> None:
    text = MINI[: MINI.index("[[proposal.sections]]")]
    error = load_error(tmp_path, text)
    assert (error.file, error.field) == ("course.toml", "proposal")


def test_no_sessions(tmp_path: Path) -> None:
    text = MINI[: MINI.index("[[sessions]]")] + MINI[MINI.index("[[channels]]") :]
    error = load_error(tmp_path, text)
    assert (error.file, error.field) == ("course.toml", "sessions")


def test_unparsable_toml_names_file_and_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, mutate("duration_minutes = 120", "duration_minutes = "))
    line = MINI.splitlines().index("duration_minutes = 120") + 1
    assert error.file == "course.toml"
    assert error.line == line
    assert error.field == f"{line}行目"
    assert str(error).startswith(f"course.toml: {line}行目: ")


def test_unterminated_string_reports_a_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, MINI + 'broken = "\n')
    assert error.line is not None and error.field.endswith("行目")


def test_markdown_not_utf8_names_the_markdown_file(tmp_path: Path) -> None:
    root = write_course(tmp_path)
    (root / "s1.md").write_bytes("# 次第\n".encode("cp932"))
    with pytest.raises(CourseError) as info:
        load_course(root)
    assert (info.value.file, info.value.field) == ("s1.md", "sessions[0].agenda")
    assert "UTF-8" in info.value.message


def test_empty_markdown_file(tmp_path: Path) -> None:
    root = write_course(tmp_path)
    (root / "goal.md").write_text("\n  \n", encoding="utf-8")
    with pytest.raises(CourseError) as info:
        load_course(root)
    assert (info.value.file, info.value.field) == ("goal.md", "proposal.sections[0].guidance")


def test_missing_course_toml(tmp_path: Path) -> None:
    with pytest.raises(CourseError) as info:
        load_course(tmp_path / "nowhere")
    assert info.value.file == "course.toml"
    assert "見つかりません" in info.value.message
