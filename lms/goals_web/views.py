"""The 目標チェッカー page: checks as you type through the API."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from lms.goals import MAX_GOAL_CHARS

bp = Blueprint("goals_web", __name__, template_folder="templates")


@bp.get("/goals")
@login_required
def checker():
    return render_template("goals_web/checker.html", max_chars=MAX_GOAL_CHARS)
