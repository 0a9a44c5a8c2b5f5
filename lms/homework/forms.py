"""Forms of the homework pages: submit, edit (trainers) and review."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from lms.homework.models import KIND_LABELS, LATE_POLICY_LABELS, REVIEW_LABELS


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class SubmitForm(FlaskForm):
    body = TextAreaField("本文（Markdown）", validators=[Length(max=50_000)],
                         render_kw={"rows": 14, "autocomplete": "off"})
    files = MultipleFileField("添付ファイル")
    client_submission_id = HiddenField()


class HomeworkForm(FlaskForm):
    title = StringField("タイトル",
                        validators=[DataRequired("入力してください。"), Length(max=200)])
    kind = SelectField("提出の単位", choices=_choices(KIND_LABELS))
    instructions_md = TextAreaField("説明（Markdown）", validators=[Length(max=20_000)],
                                    render_kw={"rows": 12})
    due_date = DateField("締切日", validators=[InputRequired("日付を入力してください。")])
    due_time = TimeField("締切時刻（日本時間）",
                         validators=[InputRequired("時刻を入力してください。")])
    late_policy = SelectField("締切後の提出", choices=_choices(LATE_POLICY_LABELS))


class ReviewForm(FlaskForm):
    status = RadioField("状態", choices=_choices(REVIEW_LABELS),
                        validators=[InputRequired("状態を選んでください。")])
    feedback = TextAreaField("コメント（Markdown）", validators=[Length(max=20_000)],
                             render_kw={"rows": 8})
