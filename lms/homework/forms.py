"""Forms of the homework pages: submit, add, edit and remove (trainers) and review."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
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
from wtforms.validators import ValidationError as FieldError

from lms.homework.models import KIND_LABELS, LATE_POLICY_LABELS, REVIEW_LABELS

CHOOSE = "一覧から選んでください。"


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class SubmitForm(FlaskForm):
    body = TextAreaField("本文（Markdown）", validators=[Length(max=50_000)],
                         render_kw={"rows": 14, "autocomplete": "off"})
    files = MultipleFileField("添付ファイル")
    client_submission_id = HiddenField()


class HomeworkForm(FlaskForm):
    title = StringField("タイトル", validators=[
        DataRequired("入力してください。"),
        Length(max=200, message="200文字以内で入力してください。")])
    kind = SelectField("提出の単位", choices=_choices(KIND_LABELS), invalid_choice_message=CHOOSE)
    instructions_md = TextAreaField("説明（Markdown）", validators=[
        Length(max=20_000, message="20,000文字以内で入力してください。")],
        render_kw={"rows": 12})
    due_date = DateField("締切日", validators=[InputRequired("日付を入力してください。")],
                         invalid_value_message="日付を正しく入力してください（例：2025-10-15）。")
    due_time = TimeField("締切時刻（日本時間）", format=["%H:%M", "%H:%M:%S"],
                         validators=[InputRequired("時刻を入力してください。")],
                         invalid_value_message="時刻を正しく入力してください（例：23:59）。")
    late_policy = SelectField("締切後の提出", choices=_choices(LATE_POLICY_LABELS),
                              invalid_choice_message=CHOOSE)

    def validate_due_date(self, field):
        if field.data and not 2000 <= field.data.year <= 2100:
            raise FieldError("2000年から2100年までの日付を入力してください。")


class NewHomeworkForm(HomeworkForm):
    """Adding homework also chooses the session and whether it sets goals."""

    session_number = SelectField("回", coerce=int, invalid_choice_message=CHOOSE,
                                 invalid_value_message=CHOOSE)
    goal_setting = BooleanField("目標を決める宿題（書いている間、目標チェッカーを表示する）")


class DeleteHomeworkForm(FlaskForm):
    """Only the CSRF token; the homework is in the URL."""


class ReviewForm(FlaskForm):
    status = RadioField("状態", choices=_choices(REVIEW_LABELS),
                        validators=[InputRequired("状態を選んでください。")])
    feedback = TextAreaField("コメント（Markdown）", validators=[Length(max=20_000)],
                             render_kw={"rows": 8})
