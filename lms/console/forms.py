"""Forms of the organizer's console."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def split_emails(text: str | None) -> list[str]:
    """Emails separated by lines, commas, spaces or 、 (as people paste them from Excel)."""
    parts = re.split(r"[\s,、;；]+", text or "")
    return list(dict.fromkeys(p.strip().lower() for p in parts if p.strip()))


def email_list(form, field):
    bad = [e for e in split_emails(field.data) if not EMAIL_RE.match(e)]
    if bad:
        raise ValidationError("メールアドレスの形式が正しくありません：" + "、".join(bad[:5]))
    if len(split_emails(field.data)) > 50:
        raise ValidationError("一度に登録できるのは50人までです。")


class NewCohortForm(FlaskForm):
    course = SelectField("コーステンプレート", validators=[DataRequired("選んでください。")])
    title = StringField("研修の名前", validators=[DataRequired("入力してください。"),
                                              Length(max=200)])
    slug = StringField("スラッグ（URLに使う半角英数字）", validators=[
        DataRequired("入力してください。"), Length(max=64),
        Regexp(r"^[A-Za-z0-9_-]+$", message="半角英数字・ハイフン・下線で入力してください。")])
    starts_on = DateField("開始日（第1回の基準日）",
                          validators=[DataRequired("日付を入力してください。")])
    organizers = TextAreaField("ほかの主催者のメールアドレス（1行に1人）",
                               validators=[Length(max=5000), email_list])
    trainers = TextAreaField("講師のメールアドレス（1行に1人）",
                             validators=[Length(max=5000), email_list])


class CohortSettingsForm(FlaskForm):
    title = StringField("研修の名前", validators=[DataRequired("入力してください。"),
                                              Length(max=200)])
    description_md = TextAreaField("研修の概要（Markdown）", validators=[Length(max=20000)],
                                   render_kw={"rows": 12})


class StaffForm(FlaskForm):
    organizers = TextAreaField("主催者として追加するメールアドレス（1行に1人）",
                               validators=[Length(max=5000), email_list])
    trainers = TextAreaField("講師として追加するメールアドレス（1行に1人）",
                             validators=[Length(max=5000), email_list])


class ConfirmForm(FlaskForm):
    """Only the CSRF token (archive / unarchive buttons)."""
