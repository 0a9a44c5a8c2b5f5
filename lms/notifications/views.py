"""The 「お知らせ一覧」 page, read marks, settings, and the unsubscribe link from mail."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms.cache import cached
from lms.db import per_request
from lms.extensions import db
from lms.notifications import services
from lms.notifications.kinds import KIND_LABELS, KINDS, MAIL_CHOICES, MAIL_LABELS
from lms.notifications.mail import read_unsubscribe_token
from lms.notifications.models import Notification

bp = Blueprint("notifications", __name__, template_folder="templates")
PAGE = 50


class CsrfForm(FlaskForm):
    """Only the CSRF token: the settings rows are one per kind."""


def _own(notification_id: int) -> Notification:
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    return note


def _safe_local(url: str) -> str:
    # Only paths on this site: a stored link never sends anyone elsewhere.
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return url_for("notifications.notification_list")


@bp.get("/notifications")
@login_required
def notification_list():
    unread_only = request.args.get("unread") == "1"
    notes = services.list_notifications(current_user, unread_only=unread_only, limit=PAGE)
    return render_template("notifications/list.html", notes=notes, unread_only=unread_only,
                           unread=services.unread_count(current_user.id), form=CsrfForm(),
                           labels=KIND_LABELS)


@bp.get("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    note = _own(notification_id)
    services.mark_read(current_user, [note.id])
    db.session.commit()
    return redirect(_safe_local(note.url))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def toggle_read(notification_id: int):
    note = _own(notification_id)
    if CsrfForm().validate_on_submit():
        note.read = request.form.get("read") == "1"
        services.mark_changed([current_user.id])
        db.session.commit()
    return redirect(url_for("notifications.notification_list",
                            unread="1" if request.form.get("unread_only") == "1" else None))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    if CsrfForm().validate_on_submit():
        changed = services.mark_read(current_user, everything=True)
        db.session.commit()
        flash(f"{changed}件のお知らせを既読にしました。", "success")
    return redirect(url_for("notifications.notification_list"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = CsrfForm()
    if form.validate_on_submit():
        choices = {}
        for kind in KINDS:
            mail = request.form.get(f"{kind}-mail", "digest")
            if mail not in MAIL_CHOICES:
                abort(400)
            choices[kind] = {"enabled": request.form.get(f"{kind}-enabled") == "1",
                             "mail": mail}
        services.save_settings(current_user, choices)
        db.session.commit()
        flash("通知の設定を保存しました。", "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, kinds=KINDS,
                           labels=KIND_LABELS, mail_labels=MAIL_LABELS,
                           current=services.user_settings(current_user))


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """No login needed: the signed token names the person and the kind. GET only asks
    (mail scanners open links); the button stops the mail."""
    found = read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user_id, kind = found
    form = CsrfForm()
    done = False
    if form.validate_on_submit():
        services.set_setting(user_id, kind, mail="none")
        db.session.commit()
        done = True
    return render_template("notifications/unsubscribe.html", form=form, done=done,
                           label=KIND_LABELS[kind])


def unread_for_header() -> dict:
    """Template context: the bell's unread count for the logged-in user."""
    if not current_user.is_authenticated:
        return {}
    # No autoflush: an error page may render while the session holds a refused change.
    # Kept across requests (lms.cache) until a notification changes.
    user_id = current_user.id
    with db.session.no_autoflush:
        return {"notif_unread": per_request(("notif_unread", user_id), lambda: cached(
            "notifications.unread", (user_id,), lambda: services.unread_count(user_id)))}


def register(app) -> None:
    """Blueprint, the bell's context and live updates (called by create_app)."""
    from lms.notifications.live import install_live_updates

    app.register_blueprint(bp)
    app.context_processor(unread_for_header)
    install_live_updates(app)
