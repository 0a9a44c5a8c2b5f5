"""Pages of the organizer's console: new cohort, cohort settings and staff, archive."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms.cohorts.access import can_create_cohorts, get_cohort_for, require_role
from lms.cohorts.archive import require_writable
from lms.console import services
from lms.console.forms import (
    CohortSettingsForm,
    ConfirmForm,
    NewCohortForm,
    StaffForm,
    split_emails,
)
from lms.errors import DomainError, Forbidden
from lms.extensions import db

bp = Blueprint("console", __name__, template_folder="templates")

# Further organizer pages, linked from the settings page (endpoint, label).
CONSOLE_LINKS: list[tuple[str, str]] = [("dashboard.cohort_dashboard", "研修の状況"),
                                         ("exports.exports_page", "エクスポート"),
                                         ("audit.audit_page", "操作ログ")]


@bp.route("/cohorts/new", methods=["GET", "POST"])
@login_required
def new_cohort():
    if not can_create_cohorts(current_user):
        raise Forbidden("研修を作成できるのは、いずれかの研修の主催者です。")
    form = NewCohortForm()
    choices = services.course_choices()
    form.course.choices = [(c.key, f"{c.title}（{c.key}）") for c in choices]
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(
                current_user, form.course.data, title=form.title.data, slug=form.slug.data,
                starts_on=form.starts_on.data, organizers=split_emails(form.organizers.data),
                trainers=split_emails(form.trainers.data))
        except DomainError as exc:
            db.session.rollback()
            form.slug.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"研修「{cohort.title}」を作成しました。受講者を登録し、招待リンクを送ってください。",
                  "success")
            return redirect(url_for("console.settings", slug=cohort.slug))
    status = 400 if form.errors else 200
    return render_template("console/new_cohort.html", form=form), status


def _organizer_cohort(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    require_role(membership, "organizer")
    return cohort


@bp.route("/c/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    cohort = _organizer_cohort(slug)
    form = CohortSettingsForm(obj=cohort)
    if form.validate_on_submit():
        require_writable(cohort)
        services.update_cohort(current_user, cohort, title=form.title.data,
                               description_md=form.description_md.data)
        db.session.commit()
        flash("研修の概要を保存しました。", "success")
        return redirect(url_for("console.settings", slug=slug))
    status = 400 if form.errors else 200
    return render_template("console/settings.html", cohort=cohort, form=form,
                           staff_form=StaffForm(formdata=None), confirm=ConfirmForm(),
                           console_links=CONSOLE_LINKS,
                           sessions=_sessions(cohort)), status


def _sessions(cohort):
    from lms.sessions.services import list_sessions

    return list_sessions(cohort.id)


@bp.post("/c/<slug>/staff")
@login_required
def add_staff(slug: str):
    cohort = _organizer_cohort(slug)
    require_writable(cohort)
    form = StaffForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("console.settings", slug=slug))
    try:
        added = services.add_staff(current_user, cohort,
                                   organizers=split_emails(form.organizers.data),
                                   trainers=split_emails(form.trainers.data))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("console.settings", slug=slug))
    db.session.commit()
    flash(f"{len(added)}人を追加しました。パスワード未設定の人には受講者の登録ページから招待リンクを発行してください。",
          "success")
    return redirect(url_for("console.settings", slug=slug))


@bp.post("/c/<slug>/archive")
@login_required
def archive(slug: str):
    cohort = _organizer_cohort(slug)
    if ConfirmForm().validate_on_submit():
        services.set_archived(current_user, cohort, True)
        db.session.commit()
        flash("研修をアーカイブしました。内容の閲覧とエクスポートはできますが、変更はできません。",
              "success")
    return redirect(url_for("console.settings", slug=slug))


@bp.post("/c/<slug>/unarchive")
@login_required
def unarchive(slug: str):
    cohort = _organizer_cohort(slug)
    if ConfirmForm().validate_on_submit():
        services.set_archived(current_user, cohort, False)
        db.session.commit()
        flash("アーカイブを解除しました。", "success")
    return redirect(url_for("console.settings", slug=slug))
