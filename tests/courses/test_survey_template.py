"""surveys.toml in a course template: the real course's surveys, and errors that name the
file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lms.courses import DEFAULT_COURSE_DIR, CourseError, load_course


def test_survey_real_course_has_one_per_session_and_a_final_one() -> None:
    course = load_course(DEFAULT_COURSE_DIR)
    assert [s.session for s in course.surveys] == [1, 2, 3, 4, 5, None]
    session = course.surveys[0]
    assert [q.kind for q in session.questions] == ["rating", "text", "text", "text"]
    assert [q.label for q in session.questions][1:] == ["良かった点", "改善点", "次回への要望"]
    final = course.surveys[-1]
    recommend = next(q for q in final.questions if q.kind == "choice")
    assert len(recommend.choices) == 4 and final.anonymous
    assert course.retro.votes_per_person == 3


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(DEFAULT_COURSE_DIR, root)
    return root


@pytest.mark.parametrize(("old", "new", "field"), [
    ('kind = "rating"', 'kind = "stars"', "question_sets[0].questions[0].kind"),
    ("session = 2\n", "session = 9\n", "surveys[1].session"),
    ('question_set = "final"', 'question_set = "nope"', "surveys[5].question_set"),
    ('key = "s3"', 'key = "s2"', "surveys[2].key"),
    ('choices = ["ぜひ勧めたい", "勧めたい", "どちらともいえない", "勧めない"]',
     'choices = ["はい"]', "question_sets[1].questions[2].choices"),
    ("anonymous = false", "anonymous = false\ncolour = 1", "surveys[0].colour"),
])
def test_survey_template_errors_name_file_and_field(course_copy, old, new, field) -> None:
    path = course_copy / "surveys.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CourseError) as caught:
        load_course(course_copy)
    assert caught.value.file == "surveys.toml"
    assert caught.value.field == field
    assert caught.value.message


def test_survey_template_is_optional(course_copy) -> None:
    (course_copy / "surveys.toml").unlink()
    assert load_course(course_copy).surveys == ()
