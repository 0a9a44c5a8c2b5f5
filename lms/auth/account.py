"""The account page: a person's own API tokens (created, last used, revoke) and logins."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, fresh_login_required, login_required, logout_user
from flask_wtf import FlaskForm

from lms.auth import logins, mfa, services
from lms.extensions import db

bp = Blueprint("account", __name__, template_folder="templates")


class ActionForm(FlaskForm):
    """A button that only carries the CSRF token."""


def _page(new_token: str | None = None, status: int = 200):
    tokens = services.list_api_tokens(current_user)
    return render_template("auth/account.html", tokens=tokens, new_token=new_token,
                           logins=logins.list_logins(current_user),
                           this_login=logins.current_login_id(), form=ActionForm(),
                           mfa_enabled=mfa.is_enabled(current_user)), status


@bp.get("/account")
@login_required
def account():
    return _page()


@bp.post("/account/tokens")
@fresh_login_required
def create_token():
    if not ActionForm().validate_on_submit():
        flash("フォームの有効期限が切れました。もう一度操作してください。", "error")
        return redirect(url_for("account.account"))
    token = services.create_api_token(current_user)
    db.session.commit()
    # Shown once: only its hash is stored.
    return _page(new_token=token, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if not ActionForm().validate_on_submit():
        flash("フォームの有効期限が切れました。もう一度操作してください。", "error")
        return redirect(url_for("account.account"))
    services.revoke_api_token(current_user, token_id)
    db.session.commit()
    flash("トークンを失効させました。このトークンではもう接続できません。", "success")
    return redirect(url_for("account.account"))


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session of this person (other browsers, a copied cookie) and this one."""
    if not ActionForm().validate_on_submit():
        flash("フォームの有効期限が切れました。もう一度操作してください。", "error")
        return redirect(url_for("account.account"))
    user = current_user._get_current_object()
    ended = services.end_all_sessions(user)
    db.session.commit()
    logout_user()
    logins.close_login_sockets(ended)  # on every process, through the message queue
    flash("すべての端末からログアウトしました。もう一度ログインしてください。", "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/sessions/<int:login_id>/end")
@login_required
def end_session(login_id: int):
    """Log out one browser: its stored session is deleted and its sockets closed."""
    if not ActionForm().validate_on_submit():
        flash("フォームの有効期限が切れました。もう一度操作してください。", "error")
        return redirect(url_for("account.account"))
    this_one = login_id == logins.current_login_id()
    logins.end_login(current_user, login_id)  # another person's: 404
    db.session.commit()
    logins.close_login_sockets([login_id])
    if this_one:
        logout_user()
        flash("この端末からログアウトしました。", "info")
        return redirect(url_for("auth.login"))
    flash("選んだ端末のログインを終了しました。", "success")
    return redirect(url_for("account.account"))
