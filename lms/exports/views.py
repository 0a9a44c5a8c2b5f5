"""The organizer's exports page (the downloads themselves are in lms.exports.api)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from lms.exports.access import get_cohort_for_export
from lms.exports.builders import EXPORTS
from lms.homework.progress import GROUPINGS

bp = Blueprint("exports", __name__, template_folder="templates")


@bp.get("/c/<slug>/exports")
@login_required
def exports_page(slug: str):
    cohort = get_cohort_for_export(current_user, slug)
    return render_template("exports/exports.html", cohort=cohort,
                           exports=[(k, v[0]) for k, v in EXPORTS.items()],
                           groupings=GROUPINGS)
