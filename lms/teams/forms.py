"""Forms of the team formation page."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, NumberRange


class FormTeamsForm(FlaskForm):
    count = IntegerField("チーム数", validators=[
        DataRequired("チーム数を入力してください。"),
        NumberRange(min=1, max=200, message="1以上の数を入力してください。")])


class MoveForm(FlaskForm):
    municipality = StringField(validators=[DataRequired()])
    team = SelectField("移動先", coerce=str, validate_choice=False)
