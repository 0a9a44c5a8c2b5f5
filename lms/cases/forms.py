"""The case form (fields of a 「DX導入事例」 post)."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.cases.models import FIELDS


class CaseForm(FlaskForm):
    municipality = StringField("自治体", validators=[Length(max=50)])
    field = SelectField("分野", choices=list(FIELDS),
                        validators=[DataRequired("選んでください。")])
    target = StringField("対象手続・業務", validators=[DataRequired("入力してください。"),
                                                Length(max=200)])
    effect = TextAreaField("効果", validators=[Length(max=2000)])
    links = TextAreaField("参考リンク（1行に1つ）", validators=[Length(max=5200)])


class RemoveCaseForm(FlaskForm):
    """Only the CSRF token."""
