"""Multi-factor login pages: the second login step, enrolment with a QR code, turning it off,
and the LMS_REQUIRE_MFA gate for staff. API bearer tokens are not affected (see README)."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user

from lms.auth import mfa, services
from lms.auth.forms import DisableMfaForm, MfaCodeForm
from lms.auth.models import User
from lms.errors import DomainError, json_error
from lms.extensions import db, limiter

bp = Blueprint("mfa", __name__, template_folder="templates")

# The password step is remembered this long while the person fetches a code.
PENDING_SECONDS = 300
PENDING_KEY = "mfa_pending"


def begin_second_step(user: User, next_url: str | None):
    """Called by the login view after a right password for a user with MFA on: nobody is
    logged in yet; the session only remembers who passed the first step, and until when."""
    session[PENDING_KEY] = {"uid": user.id, "sv": user.session_version or 0,
                            "next": next_url or "", "exp": int(time.time()) + PENDING_SECONDS}
    return redirect(url_for("mfa.login_code"))


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("exp", 0) < time.time():
        return None
    user = db.session.get(User, pending.get("uid"))
    # A password changed since the first step (or a deactivated account) starts over.
    if user is None or not user.active or (user.session_version or 0) != pending.get("sv"):
        return None
    return user


def _code_key() -> str:
    """Wrong codes count per account, however many sessions or addresses try."""
    if current_user.is_authenticated:
        return f"mfa:{current_user.id}"
    pending = session.get(PENDING_KEY)
    uid = pending.get("uid") if isinstance(pending, dict) else None
    return f"mfa:{uid}" if uid else f"mfa-ip:{request.remote_addr}"


def _code_limit() -> str:
    return current_app.config["MFA_RATE_LIMIT"]


def _wrong_code(response) -> bool:
    return response.status_code == 400


code_limit = limiter.shared_limit(_code_limit, scope="mfa-code", key_func=_code_key,
                                  methods=["POST"], deduct_when=_wrong_code)


@bp.route("/login/mfa", methods=["GET", "POST"])
@code_limit
def login_code():
    """The second login step: a 6-digit code from the app, or one recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.dashboard"))
    user = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash("もう一度メールアドレスとパスワードを入力してください。", "info")
        return redirect(url_for("auth.login"))
    form = MfaCodeForm()
    error = None
    if form.validate_on_submit():
        used = mfa.verify_second_factor(user, form.code.data)
        db.session.commit()
        if used is not None:
            next_url = session.pop(PENDING_KEY, {}).get("next") or None
            login_user(user)
            if used == "recovery":
                left = mfa.remaining_recovery_codes(user)
                flash(f"リカバリーコードでログインしました。残りは{left}個です。"
                      "認証アプリを失くした場合は、アカウント画面で設定し直してください。",
                      "warning")
            return redirect(next_url or url_for("dashboard.dashboard"))
        error = mfa.WRONG_CODE
    status = 400 if (error or form.errors) else 200
    return render_template("auth/mfa_login.html", form=form, error=error), status


@bp.get("/account/mfa")
@login_required
def settings():
    user = current_user._get_current_object()
    if mfa.is_enabled(user):
        return _settings_page(user)
    mfa.start_enrolment(user)
    db.session.commit()
    return _settings_page(user)


def _settings_page(user: User, form=None, disable_form=None, codes=None, renewed=False,
                   status=200):
    cred = mfa.credential_for(user)
    enabled = cred is not None and cred.enabled_at is not None
    return render_template(
        "auth/mfa.html", cred=cred, enabled=enabled,
        secret=" ".join(cred.secret[i:i + 4] for i in range(0, len(cred.secret), 4))
        if cred is not None and not enabled else None,
        required=current_app.config["REQUIRE_MFA"] and mfa.is_required(user),
        remaining=mfa.remaining_recovery_codes(user) if enabled else 0,
        form=form or MfaCodeForm(), disable_form=disable_form or DisableMfaForm(),
        codes=codes, renewed=renewed), status


@bp.get("/account/mfa/qr.svg")
@login_required
def qr():
    """The pending secret as a QR code; gone once MFA is on, so the secret is not shown again."""
    user = current_user._get_current_object()
    cred = mfa.credential_for(user)
    if cred is None or cred.enabled_at is not None:
        abort(404)
    svg = mfa.qr_svg(mfa.provisioning_uri(user, cred))
    return Response(svg, mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@bp.post("/account/mfa/confirm")
@login_required
@code_limit
def confirm():
    user = current_user._get_current_object()
    form = MfaCodeForm()
    if not form.validate_on_submit():
        return _settings_page(user, form=form, status=400)
    try:
        codes = mfa.confirm_enrolment(user, form.code.data)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            return redirect(url_for("mfa.settings"))
        form.code.errors.append(exc.message)
        return _settings_page(user, form=form, status=400)
    db.session.commit()
    # Shown once: only their hashes are stored.
    return _settings_page(user, codes=codes, status=201)


@bp.post("/account/mfa/recovery-codes")
@login_required
@code_limit
def new_recovery_codes():
    """Ten new recovery codes for a code from the app; the old ones stop working."""
    user = current_user._get_current_object()
    form = MfaCodeForm()
    if not mfa.is_enabled(user):
        return redirect(url_for("mfa.settings"))
    if form.validate_on_submit():
        if mfa.verify_second_factor(user, form.code.data) == "totp":
            codes = mfa.new_recovery_codes(user)
            db.session.commit()
            return _settings_page(user, codes=codes, renewed=True, status=201)
        db.session.commit()
        form.code.errors.append("認証アプリの確認コード（6桁）が正しくないか、すでに使われています。")
    return _settings_page(user, form=form, status=400)


@bp.post("/account/mfa/disable")
@login_required
@code_limit
def disable():
    user = current_user._get_current_object()
    form = DisableMfaForm()
    if not mfa.is_enabled(user):
        return redirect(url_for("mfa.settings"))
    if form.validate_on_submit():
        if services.authenticate(user.email, form.password.data) is None:
            form.password.errors.append("パスワードが正しくありません。")
        elif mfa.verify_second_factor(user, form.code.data) is None:
            db.session.commit()  # a spent code stays spent
            form.code.errors.append(mfa.WRONG_CODE)
        else:
            mfa.disable(user)
            db.session.commit()
            flash("多要素認証を無効にしました。", "success")
            return redirect(url_for("account.account"))
    return _settings_page(user, disable_form=form, status=400)


# What a person who must enrol may still reach under LMS_REQUIRE_MFA.
_OPEN_ENDPOINTS = {"static", "auth.login", "auth.logout", "health.healthz", "mfa.login_code",
                   "mfa.settings", "mfa.qr", "mfa.confirm"}


@bp.before_app_request
def require_enrolment():
    """Under LMS_REQUIRE_MFA, trainers and organizers without MFA see only the enrolment page
    (pages redirect there, the API answers 403 for the browser session). A bearer token is
    another credential and works as before."""
    if not current_app.config["REQUIRE_MFA"] or request.endpoint in _OPEN_ENDPOINTS:
        return None
    if request.headers.get("Authorization") or not current_user.is_authenticated:
        return None
    if not mfa.must_enrol_first(current_user._get_current_object(), True):
        return None
    if request.blueprint == "api_v1":
        return json_error(403, "mfa_required",
                          "多要素認証の設定が必要です。アカウント画面で設定してください。")
    return redirect(url_for("mfa.settings"))  # the page says why
