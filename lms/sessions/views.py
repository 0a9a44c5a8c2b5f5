"""Session pages, the trainer's scheduling form and the cohort calendar."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from lms.cohorts.access import get_cohort_for
from lms.extensions import db
from lms.markdown import render_markdown
from lms.sessions import feed, services
from lms.sessions.access import can_schedule_sessions, get_session_for, get_session_for_staff
from lms.sessions.attendance import attendance_of
from lms.sessions.attendance_views import CsrfForm
from lms.sessions.catchup import needs_catchup, ticked_tasks
from lms.sessions.forms import SessionForm
from lms.staffnotes import strip_staff_notes
from lms.timefmt import to_tokyo

bp = Blueprint("sessions", __name__, template_folder="templates")


@bp.get("/c/<slug>/sessions/<int:number>")
@login_required
def session_page(slug: str, number: int):
    cohort, membership, ws = get_session_for(current_user, slug, number)
    mine = attendance_of(ws, current_user.id)
    staff = can_schedule_sessions(membership)
    agenda_html = ws.agenda_html if staff else render_markdown(strip_staff_notes(ws.agenda_md))
    return render_template("sessions/session.html", cohort=cohort, ws=ws,
                           agenda_html=agenda_html,
                           membership=membership, is_staff=staff,
                           attendance=mine, needs_catchup=needs_catchup(mine),
                           ticked=ticked_tasks(ws, current_user.id) if mine else set(),
                           catchup_form=CsrfForm())


@bp.route("/c/<slug>/sessions/<int:number>/edit", methods=["GET", "POST"])
@login_required
def edit_session(slug: str, number: int):
    cohort, _membership, ws = get_session_for_staff(current_user, slug, number)
    form = SessionForm()
    if request.method == "GET":
        start, end = to_tokyo(ws.starts_at), to_tokyo(ws.ends_at)
        form.process(data={
            "title": ws.title, "date": start.date(), "start_time": start.time(),
            "end_time": end.time(), "meeting_url": ws.meeting_url, "agenda_md": ws.agenda_md,
            "materials_md": ws.materials_md, "recording_url": ws.recording_url,
            "summary_md": ws.summary_md, "catchup_text": "\n".join(ws.catchup_tasks)})
    if form.validate_on_submit():
        services.schedule_session(
            cohort, ws, title=form.title.data, day=form.date.data, start=form.start_time.data,
            end=form.end_time.data, meeting_url=form.meeting_url.data,
            agenda_md=form.agenda_md.data, materials_md=form.materials_md.data,
            recording_url=form.recording_url.data, summary_md=form.summary_md.data,
            catchup_tasks=(form.catchup_text.data or "").splitlines(), actor=current_user)
        db.session.commit()
        flash(f"{ws.label}の予定を保存しました。", "success")
        return redirect(url_for("sessions.session_page", slug=slug, number=number))
    status = 400 if form.errors else 200
    return render_template("sessions/edit.html", cohort=cohort, ws=ws, form=form), status


@bp.get("/c/<slug>/calendar.ics")
@login_required
def calendar(slug: str):
    cohort, _membership = get_cohort_for(current_user, slug)
    body = services.cohort_calendar(cohort, services.list_sessions(cohort.id), request.host_url)
    return send_file(io.BytesIO(body), mimetype="text/calendar", as_attachment=True,
                     download_name=f"{cohort.slug}.ics", max_age=0)


@bp.route("/calendar/feed", methods=["GET", "POST"])
@login_required
def calendar_feed():
    """The personal calendar URL: issue a new one (the old stops) or stop it."""
    form = CsrfForm()
    new_url = None
    if form.validate_on_submit():
        if request.form.get("action") == "revoke":
            feed.revoke_feeds(current_user)
            db.session.commit()
            flash("カレンダーのURLを停止しました。", "success")
            return redirect(url_for("sessions.calendar_feed"))
        token = feed.issue_feed(current_user)
        db.session.commit()
        new_url = url_for("sessions.personal_feed", token=token, _external=True)
    return render_template("sessions/calendar_feed.html", form=form, new_url=new_url,
                           active=feed.active_feed(current_user))


@bp.get("/calendar/<token>.ics")
def personal_feed(token: str):
    """No login: Outlook fetches this by itself. An unknown or stopped token is 404."""
    user = feed.user_for_feed(token)
    if user is None:
        abort(404)
    return Response(feed.personal_calendar(user, request.host_url), mimetype="text/calendar",
                    headers={"Cache-Control": "no-store"})
