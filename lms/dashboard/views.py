"""My dashboard and the cohort overview."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from lms.cache import cached_html, cached_page, render_part
from lms.cohorts.access import (
    can_manage_enrolment,
    get_cohort_for,
    is_staff,
    require_staff,
    team_id_for,
)
from lms.dashboard import services
from lms.dashboard.cohort_stats import cohort_dashboard as build
from lms.db import utcnow
from lms.markdown import render_markdown
from lms.staffnotes import strip_staff_notes

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/")
@login_required
def dashboard():
    # Kept per person (lms.cache) until anything it shows changes; for a minute at most,
    # since the next session, deadlines and reminders follow the clock.
    user_id = current_user.id

    def page():
        body = cached_html(
            "dashboard.cards", (user_id,),
            lambda _csrf: render_part("dashboard/_cards.html",
                                      cards=services.dashboard_cards(current_user)),
            deps=("users",), ttl=60)
        return render_part("dashboard/dashboard.html", body=body)
    # The whole page too, as long as the cards (the layout adds the reader's name and bell).
    return cached_page("dashboard.page", (user_id,), page)


@bp.get("/c/<slug>/")
@login_required
def cohort_overview(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    sessions = services.sessions_of(cohort.id)
    return render_template(
        "dashboard/cohort.html", cohort=cohort, membership=membership,
        sessions=sessions, next_session=services.next_session(sessions), now=utcnow(),
        teams=services.teams_with_members(cohort.id), my_team_id=team_id_for(membership),
        is_staff=is_staff(membership), can_manage_enrolment=can_manage_enrolment(membership),
        description_html=render_markdown(
            cohort.description_md if is_staff(membership)
            else strip_staff_notes(cohort.description_md)))


@bp.get("/c/<slug>/dashboard")
@login_required
def cohort_dashboard(slug: str):
    """Figures for organizers and trainers; participants are refused."""
    cohort, membership = get_cohort_for(current_user, slug)
    require_staff(membership)
    # Kept (lms.cache) until anything it counts changes; a minute at most, since the
    # figures of 「今」 (deadlines passed, sessions held) follow the clock.
    return cached_page("dashboard.figures", (cohort.id, current_user.id), lambda: render_part(
        "dashboard/cohort_dashboard.html", cohort=cohort, stats=build(cohort)),
        deps=("cohorts",), ttl=60)
