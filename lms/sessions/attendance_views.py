"""Attendance pages (trainers) and catch-up ticking (participants who missed a session)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField

from lms.errors import BadRequest, DomainError
from lms.extensions import db
from lms.sessions import attendance, catchup
from lms.sessions.access import get_session_for, get_session_for_staff
from lms.sessions.models import ATTENDANCE_LABELS

bp = Blueprint("attendance", __name__, template_folder="templates")


class CsrfForm(FlaskForm):
    """Only the CSRF token: the rows of these forms are built per participant."""


class ImportForm(FlaskForm):
    report = FileField("出席レポート（Teams からダウンロードしたファイル、または CSV）",
                       validators=[FileRequired("ファイルを選んでください。")])
    confirm_mismatch = BooleanField("会議名や日付がこの回と違っても取り込む")


def _staff_session(slug: str, number: int):
    cohort, _membership, ws = get_session_for_staff(current_user, slug, number)
    return cohort, ws


def _render(cohort, ws, *, import_form=None, result=None, status=200, mismatch=False):
    people = attendance.participants(cohort)
    return render_template(
        "sessions/attendance.html", cohort=cohort, ws=ws, people=people,
        records=attendance.attendance_by_user(ws), labels=ATTENDANCE_LABELS,
        caught_up=catchup.progress_by_user(ws), task_count=len(ws.catchup_tasks),
        form=CsrfForm(), import_form=import_form or ImportForm(), result=result,
        mismatch=mismatch), status


@bp.get("/c/<slug>/sessions/<int:number>/attendance")
@login_required
def attendance_page(slug: str, number: int):
    cohort, ws = _staff_session(slug, number)
    return _render(cohort, ws)


@bp.post("/c/<slug>/sessions/<int:number>/attendance")
@login_required
def save_attendance(slug: str, number: int):
    cohort, ws = _staff_session(slug, number)
    if not CsrfForm().validate_on_submit():
        raise BadRequest("フォームの有効期限が切れました。ページを再読み込みしてください。")
    statuses = {}
    for key, value in request.form.items():
        if key.startswith("status-"):
            try:
                statuses[int(key.removeprefix("status-"))] = value
            except ValueError:
                raise BadRequest("フォームの形式が正しくありません。") from None
    changed = attendance.record_by_hand(cohort, ws, statuses)
    db.session.commit()
    flash(f"{ws.label}の出欠を保存しました（{changed}件を更新）。", "success")
    return redirect(url_for("attendance.attendance_page", slug=slug, number=number))


@bp.post("/c/<slug>/sessions/<int:number>/attendance/import")
@login_required
def import_attendance(slug: str, number: int):
    cohort, ws = _staff_session(slug, number)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(cohort, ws, import_form=form, status=400)
    try:
        result = attendance.import_report(cohort, ws, form.report.data.read(),
                                          confirmed=bool(form.confirm_mismatch.data))
    except DomainError as exc:
        db.session.rollback()
        form.report.errors = [*form.report.errors, exc.message]
        return _render(cohort, ws, import_form=form, status=exc.status,
                       mismatch=exc.code == "report_mismatch")
    db.session.commit()
    counts = "・".join(f"{ATTENDANCE_LABELS[k]} {v}人" for k, v in result.summary.items())
    flash(f"出席レポートを取り込みました（受講者{result.recorded}人に記録：{counts}）。"
          + (f"一致しなかった名前が{len(result.unmatched)}件あります。下で確認してください。"
             if result.unmatched else ""), "success")
    return _render(cohort, ws, result=result)


@bp.post("/c/<slug>/sessions/<int:number>/attendance/match")
@login_required
def match_attendance(slug: str, number: int):
    cohort, ws = _staff_session(slug, number)
    if not CsrfForm().validate_on_submit():
        raise BadRequest("フォームの有効期限が切れました。ページを再読み込みしてください。")
    pairs = []
    try:
        # Each row needs its own fields, so no more rows than the form has fields: a huge
        # `count` must not keep the server looping.
        count = min(int(request.form.get("count", "0")), len(request.form))
        for index in range(count):
            chosen = request.form.get(f"person-{index}", "")
            if chosen:
                pairs.append((int(chosen), int(request.form.get(f"minutes-{index}", "0"))))
    except ValueError:
        raise BadRequest("フォームの形式が正しくありません。") from None
    attendance.match_by_hand(cohort, ws, pairs)
    db.session.commit()
    flash(f"{len(pairs)}件の名前を受講者に割り当てました。", "success")
    return redirect(url_for("attendance.attendance_page", slug=slug, number=number))


@bp.post("/c/<slug>/sessions/<int:number>/catchup")
@login_required
def tick_catchup(slug: str, number: int):
    _cohort, _membership, ws = get_session_for(current_user, slug, number)
    if not CsrfForm().validate_on_submit():
        raise BadRequest("フォームの有効期限が切れました。ページを再読み込みしてください。")
    try:
        done = {int(v) for v in request.form.getlist("done")}
    except ValueError:
        raise BadRequest("フォームの形式が正しくありません。") from None
    catchup.set_ticked_tasks(ws, current_user.id, done)
    db.session.commit()
    flash(f"キャッチアップの進み具合を保存しました（{len(done)}/{len(ws.catchup_tasks)}）。",
          "success")
    return redirect(url_for("sessions.session_page", slug=slug, number=number) + "#catchup")
