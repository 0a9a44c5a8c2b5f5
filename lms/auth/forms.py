"""Login and password forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

REQUIRED = "入力してください。"


class LoginForm(FlaskForm):
    email = EmailField("メールアドレス", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("パスワード", validators=[DataRequired(REQUIRED)])
    next = StringField()


class SetPasswordForm(FlaskForm):
    password = PasswordField("新しいパスワード",
                             validators=[DataRequired(REQUIRED),
                                         Length(min=10, message="10文字以上にしてください。")])
    confirm = PasswordField("新しいパスワード（確認）",
                            validators=[DataRequired(REQUIRED),
                                        EqualTo("password", message="パスワードが一致しません。")])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("メールアドレス", validators=[DataRequired(REQUIRED), Length(max=254)])


class MfaCodeForm(FlaskForm):
    code = StringField("確認コード",
                       validators=[DataRequired(REQUIRED), Length(max=40, message="長すぎます。")])


class DisableMfaForm(FlaskForm):
    # own ids: the page also shows the recovery-code form's `code`
    password = PasswordField("パスワード", id="disable-password",
                             validators=[DataRequired(REQUIRED)])
    code = StringField("確認コード（6桁）またはリカバリーコード", id="disable-code",
                       validators=[DataRequired(REQUIRED), Length(max=40, message="長すぎます。")])
