"""Login, logout, forgotten passwords and setting a password through an invitation link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from lms.auth import mfa, services
from lms.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from lms.auth.logins import live_login_user
from lms.auth.mail import queue_password_reset
from lms.auth.mfa_views import begin_second_step
from lms.auth.models import User
from lms.errors import ValidationError
from lms.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__, template_folder="templates")


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a login cookie, unless the password changed since it was issued."""
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    if len(user_id) > 12 or len(version) > 12:
        return None
    # A login ended elsewhere is over (lms.auth.logins keeps the rows between requests).
    return live_login_user(int(user_id), int(version))


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative //, no backslash."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    return target


def _login_email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_ip_limit() -> str:
    return current_app.config["LOGIN_IP_RATE_LIMIT"]


def _login_failed(response) -> bool:
    """Only failed attempts count: a successful login (a redirect) never uses up the limit
    that a hundred colleagues behind one municipal gateway share."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_ip_limit, methods=["POST"], deduct_when=_login_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_email_key,
               deduct_when=_login_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.dashboard"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            if mfa.is_enabled(user):  # not logged in until the second step
                return begin_second_step(user, safe_next(form.next.data))
            login_user(user)
            return redirect(safe_next(form.next.data) or url_for("dashboard.dashboard"))
        error = "メールアドレスまたはパスワードが正しくありません。"
    status = 200 if error is None and not form.errors else 400
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    logout_user()
    flash("ログアウトしました。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def accept_invite(token: str):
    invite = services.find_invite(token)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invite(token, form.password.data)
        except ValidationError as exc:  # a weak password; a spent link is a 404 page
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            login_user(user)
            flash("パスワードを設定しました。", "success")
            return redirect(url_for("dashboard.dashboard"))
    return render_template("auth/set_password.html", form=form, user=invite.user)


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _reset_email_limit() -> str:
    return current_app.config["PASSWORD_RESET_EMAIL_RATE_LIMIT"]


def _reset_email_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_email_limit, methods=["POST"], key_func=_reset_email_key)
def forgot_password():
    """Ask for a new password link. The answer never tells whether the account exists."""
    mail_enabled = bool(current_app.config["MAIL_SERVER"])
    form = ForgotPasswordForm()
    if request.method == "POST" and not mail_enabled:
        return render_template("auth/forgot_password_done.html", mail_enabled=False)
    if form.validate_on_submit():
        queue_password_reset(form.email.data, days=current_app.config["INVITE_DAYS"])
        db.session.commit()
        return render_template("auth/forgot_password_done.html", mail_enabled=True)
    status = 400 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form,
                           mail_enabled=mail_enabled), status
