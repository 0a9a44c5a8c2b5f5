"""The 目標チェッカー page: checks as you type through the API; staff see trainers' corrections."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from lms.goals import LEVELS, MAX_GOAL_CHARS

from . import services

bp = Blueprint("goals_web", __name__, template_folder="templates")


@bp.get("/goals")
@login_required
def checker():
    user = current_user._get_current_object()
    staff = bool(services.staff_cohort_ids(user))
    count, recent = services.correction_summary(user) if staff else (0, [])
    return render_template("goals_web/checker.html", max_chars=MAX_GOAL_CHARS, levels=LEVELS,
                           staff=staff, correction_count=count, recent_corrections=recent)
