"""The account page: a person's own API tokens (created, last used, revoke)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, fresh_login_required, login_required, logout_user
from flask_wtf import FlaskForm

from lms.auth import mfa, services
from lms.extensions import db

bp = Blueprint("account", __name__, template_folder="templates")


class ActionForm(FlaskForm):
    """A button that only carries the CSRF token."""


def _page(new_token: str | None = None, status: int = 200):
    tokens = services.list_api_tokens(current_user)
    return render_template("auth/account.html", tokens=tokens, new_token=new_token,
                           form=ActionForm(), mfa_enabled=mfa.is_enabled(current_user)), status


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
    services.end_all_sessions(user)
    db.session.commit()
    logout_user()  # closes this process's sockets of the user at once
    flash("すべての端末からログアウトしました。もう一度ログインしてください。", "info")
    return redirect(url_for("auth.login"))
