"""The trainer's session scheduling form."""

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField, TimeField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

REQUIRED = "入力してください。"


def http_url(form, field):
    if field.data and not field.data.startswith(("https://", "http://")):
        raise ValidationError("http:// または https:// で始まるURLを入力してください。")


class SessionForm(FlaskForm):
    title = StringField("タイトル", validators=[DataRequired(REQUIRED), Length(max=200)])
    date = DateField("開催日", validators=[DataRequired("日付を入力してください。")])
    start_time = TimeField("開始時刻（日本時間）",
                           validators=[DataRequired("時刻を入力してください。")])
    end_time = TimeField("終了時刻（日本時間）",
                         validators=[DataRequired("時刻を入力してください。")])
    meeting_url = URLField("オンライン会議のURL",
                           validators=[Optional(), Length(max=500), http_url])
    agenda_md = TextAreaField("アジェンダ（Markdown）", validators=[Length(max=20000)])
    materials_md = TextAreaField("資料（Markdown：リンクの一覧など）",
                                 validators=[Length(max=20000)])
    recording_url = URLField("録画のURL", validators=[Optional(), Length(max=500), http_url])
    summary_md = TextAreaField("当日の要約（Markdown）", validators=[Length(max=20000)])
    catchup_text = TextAreaField("欠席した人のキャッチアップ項目（1行に1項目）",
                                 validators=[Length(max=5000)], render_kw={"rows": 5})

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("終了時刻は開始時刻より後にしてください。")
