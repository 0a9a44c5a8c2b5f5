"""Homework pages: list, the participant's page (draft, submit, history), add, edit, remove,
review, matrix."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.cache import cached_html, cached_page, render_part
from lms.cohorts.access import get_cohort_for, is_staff, require_staff
from lms.db import utcnow
from lms.errors import DomainError, NotFound
from lms.extensions import db
from lms.homework import authoring, progress, services
from lms.homework.access import (
    can_submit,
    get_homework_for_staff,
    get_homework_in_cohort,
    get_submission_for,
    owner_key,
)
from lms.homework.api import submit_from_request
from lms.homework.filetypes import ALLOWED_LABEL
from lms.homework.forms import (
    DeleteHomeworkForm,
    HomeworkForm,
    NewHomeworkForm,
    ReviewForm,
    SubmitForm,
)
from lms.sessions.services import list_sessions
from lms.timefmt import TOKYO, ja_date, to_tokyo

bp = Blueprint("homework", __name__, template_folder="templates")


@bp.app_template_global()
def homework_for_session(ws) -> list:
    """The session page lists its homework; sessions may not import homework, so the
    homework domain offers this to templates instead."""
    return services.list_homework(ws.cohort_id, ws.id)


@bp.get("/c/<slug>/homework")
@login_required
def homework_list(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    homework = services.list_homework(cohort.id)
    owners = services.owner_keys(membership)
    latest = services.latest_by_owner([h.id for h in homework],
                                      [o for o in owners.values() if o])
    rows = [(hw, latest.get((hw.id, owners[hw.kind])), services.days_left(hw))
            for hw in homework]
    return render_template("homework/list.html", cohort=cohort, membership=membership,
                           rows=rows, is_staff=is_staff(membership), now=utcnow())


def _page(cohort, membership, hw, form, status=200):
    owner = owner_key(hw.kind, membership)
    draft = services.get_draft(hw, owner) if owner else None
    if request.method == "GET" and draft is not None:
        form.body.data = draft.body_md
    form.client_submission_id.data = str(uuid.uuid4())
    staff = is_staff(membership)
    return render_template(
        "homework/homework.html", cohort=cohort, membership=membership, hw=hw, form=form,
        owner=owner, draft=draft, history=services.history(hw, owner) if owner else [],
        closed=services.is_closed(hw), days_left=services.days_left(hw),
        is_staff=staff, can_submit=can_submit(membership), allowed=ALLOWED_LABEL, now=utcnow(),
        submitted=authoring.count_submissions(hw) if staff else 0,
        delete_form=DeleteHomeworkForm()), status


@bp.get("/c/<slug>/homework/<int:homework_id>")
@login_required
def homework_page(slug: str, homework_id: int):
    cohort, membership = get_cohort_for(current_user, slug)
    hw = get_homework_in_cohort(cohort, homework_id)
    return _page(cohort, membership, hw, SubmitForm())


@bp.post("/c/<slug>/homework/<int:homework_id>/submit")
@login_required
def submit(slug: str, homework_id: int):
    cohort, membership = get_cohort_for(current_user, slug)
    hw = get_homework_in_cohort(cohort, homework_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _page(cohort, membership, hw, form, 400)
    try:
        submission, created = submit_from_request(hw, membership, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _page(cohort, membership, hw, form, exc.status)
    if created:
        flash(f"第{submission.version}版を提出しました。", "success")
    else:
        flash("この提出はすでに受け付けています。", "info")
    return redirect(url_for("homework.homework_page", slug=slug, homework_id=hw.id)
                    + "#history")


@bp.route("/c/<slug>/homework/<int:homework_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, homework_id: int):
    cohort, membership, hw = get_homework_for_staff(current_user, slug, homework_id)
    form = HomeworkForm()
    if request.method == "GET":
        due = to_tokyo(hw.due_at)
        form.process(data={"title": hw.title, "kind": hw.kind,
                           "instructions_md": hw.instructions_md, "due_date": due.date(),
                           "due_time": due.time(), "late_policy": hw.late_policy})
    if form.validate_on_submit():
        try:
            services.update_homework(
                hw, title=form.title.data, kind=form.kind.data,
                instructions_md=form.instructions_md.data,
                due_at=datetime.combine(form.due_date.data, form.due_time.data, tzinfo=TOKYO),
                late_policy=form.late_policy.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            form.kind.errors = [*form.kind.errors, exc.message]
        else:
            db.session.commit()
            flash("宿題を保存しました。", "success")
            return redirect(url_for("homework.homework_page", slug=slug, homework_id=hw.id))
    status = 400 if form.errors else 200
    return render_template("homework/edit.html", cohort=cohort, hw=hw, form=form), status


@bp.route("/c/<slug>/homework/new", methods=["GET", "POST"])
@login_required
def new_homework(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    require_staff(membership)
    form = NewHomeworkForm()
    sessions = list_sessions(cohort.id)
    form.session_number.choices = [
        (ws.number, f"{ws.label} {ws.title}（{ja_date(ws.starts_at)}）") for ws in sessions]
    if request.method == "GET":
        form.session_number.data = request.args.get("session", type=int)
        form.kind.data, form.late_policy.data = "individual", "accept"
        form.due_time.data = services.DUE_TIME
    if form.validate_on_submit():
        try:
            hw = authoring.add_homework(
                cohort, session_number=form.session_number.data, title=form.title.data,
                kind=form.kind.data, instructions_md=form.instructions_md.data,
                due_at=datetime.combine(form.due_date.data, form.due_time.data, tzinfo=TOKYO),
                late_policy=form.late_policy.data, goal_setting=form.goal_setting.data,
                actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            fields = {"session_number": form.session_number, "title": form.title,
                      "kind": form.kind, "instructions": form.instructions_md,
                      "due_at": form.due_date, "late_policy": form.late_policy}
            target = fields.get(exc.extra.get("field"), form.title)
            target.errors = [*target.errors, exc.message]
        else:
            db.session.commit()
            flash(f"宿題「{hw.title}」を{hw.session.label}に追加しました。", "success")
            return redirect(url_for("homework.homework_page", slug=slug, homework_id=hw.id))
    status = 400 if form.errors else 200
    return render_template("homework/new.html", cohort=cohort, form=form), status


@bp.post("/c/<slug>/homework/<int:homework_id>/delete")
@login_required
def delete(slug: str, homework_id: int):
    cohort, membership, hw = get_homework_for_staff(current_user, slug, homework_id)
    form = DeleteHomeworkForm()
    if not form.validate_on_submit():
        flash("フォームの有効期限が切れました。もう一度操作してください。", "error")
        return _page(cohort, membership, hw, SubmitForm(), 400)
    title = hw.title
    try:
        drafts = authoring.remove_homework(hw, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _page(cohort, membership, hw, SubmitForm(), exc.status)
    db.session.commit()
    flash(f"宿題「{title}」を削除しました。" + (f"書きかけの下書き{drafts}件も削除しました。"
                                               if drafts else ""), "success")
    return redirect(url_for("homework.homework_list", slug=slug))


@bp.get("/c/<slug>/homework/<int:homework_id>/submissions")
@login_required
def review_list(slug: str, homework_id: int):
    cohort, membership, hw = get_homework_for_staff(current_user, slug, homework_id)
    directory = progress.directory(cohort)
    latest = services.latest_by_owner([hw.id])
    owners = sorted({o for p in directory.people if (o := p.owner(hw.kind))})
    rows = [(o, directory.names.get(o, o), latest.get((hw.id, o))) for o in owners]
    return render_template("homework/review_list.html", cohort=cohort, hw=hw, rows=rows)


def _review_neighbours(cohort, submission) -> dict:
    """For a trainer giving feedback: the previous and next owner's latest version of the
    same homework (in the order of the submissions list), and the next one not reviewed."""
    hw = submission.homework
    directory = progress.directory(cohort)
    latest = services.latest_by_owner([hw.id])
    owners = sorted({o for p in directory.people if (o := p.owner(hw.kind))})
    chain = [latest[(hw.id, o)] for o in owners if (hw.id, o) in latest]
    keys = [s.owner_key for s in chain]
    if submission.owner_key not in keys:
        return {}
    at = keys.index(submission.owner_key)
    after = chain[at + 1:] + chain[:at]
    return {"prev": chain[at - 1] if at > 0 else None,
            "next": chain[at + 1] if at + 1 < len(chain) else None,
            "next_waiting": next((s for s in after if s.review_status is None), None),
            "position": at + 1, "count": len(chain),
            "names": {s.id: directory.names.get(s.owner_key, "") for s in chain}}


@bp.route("/c/<slug>/submissions/<int:submission_id>", methods=["GET", "POST"])
@login_required
def submission_page(slug: str, submission_id: int):
    cohort, _membership = get_cohort_for(current_user, slug)
    submission, membership = get_submission_for(current_user, submission_id)
    if submission.homework.cohort_id != cohort.id:
        raise NotFound("提出物が見つかりません。")
    staff = is_staff(membership)
    form = ReviewForm()
    if request.method == "POST":
        require_staff(membership)
        if form.validate_on_submit():
            services.review_submission(submission, current_user, status=form.status.data,
                                       feedback=form.feedback.data)
            db.session.commit()
            flash("講評を保存しました。", "success")
            after = _review_neighbours(cohort, submission).get("next_waiting") \
                if request.form.get("then") == "next" else None
            return redirect(url_for("homework.submission_page", slug=slug,
                                    submission_id=after.id if after else submission.id))
    elif submission.review_status:
        form.process(data={"status": submission.review_status,
                           "feedback": submission.feedback_md})
    versions = services.history(submission.homework, submission.owner_key)
    owner_name = progress.directory(cohort).names.get(submission.owner_key, "") if staff else ""
    return render_template("homework/submission.html", cohort=cohort, sub=submission,
                           hw=submission.homework, form=form, is_staff=staff,
                           versions=versions, owner_name=owner_name,
                           nav=_review_neighbours(cohort, submission) if staff else {}), \
        400 if form.errors else 200


@bp.get("/c/<slug>/homework/matrix")
@login_required
def matrix(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    require_staff(membership)
    by = request.args.get("by", "person")
    if by not in progress.GROUPINGS:
        by = "person"
    only_feedback = request.args.get("filter") == "feedback"
    shown = {"groupings": progress.GROUPINGS, "labels": progress.STATUS_LABELS,
             "icons": progress.STATUS_ICONS, "only_feedback": only_feedback}

    def render(_csrf):
        return render_part("homework/_matrix_table.html", cohort=cohort, now=utcnow(),
                           matrix=progress.status_matrix(cohort, by,
                                                         needs_feedback=only_feedback),
                           **shown)
    # The same for every trainer and organizer of the cohort: kept (lms.cache) until a
    # submission, review, homework, team or enrolment changes; a minute at most, since
    # 「期限前」 and missing work follow the clock.
    def page():
        table = cached_html("homework.matrix", (cohort.id, by, only_feedback), render,
                            deps=("cohorts",), ttl=60)
        return render_part("homework/matrix.html", cohort=cohort, table=table,
                           matrix={"by": by}, **shown)
    # The page around it differs per reader (their name) only.
    return cached_page("homework.matrix_page", (cohort.id, by, only_feedback, current_user.id),
                       page, deps=("cohorts",))
