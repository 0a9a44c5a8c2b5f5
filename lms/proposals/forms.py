"""Forms of the proposal pages. Sections and rubric come from the course template, so
their fields are read by key from request.form; the form carries CSRF and the revision."""

from flask_wtf import FlaskForm
from wtforms import HiddenField


class ActionForm(FlaskForm):
    """CSRF only: submit, comment, resolve, review, publish."""


class SaveForm(FlaskForm):
    revision = HiddenField()


def section_field(key: str) -> str:
    return f"section-{key}"


def score_field(key: str) -> str:
    return f"score-{key}"
