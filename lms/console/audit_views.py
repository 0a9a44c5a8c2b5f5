"""The organizer's page to read and filter a cohort's audit log (the log itself is the low
layer lms.audit; reading it needs the cohort's roles, so the page lives up here)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from lms.audit.services import ACTION_LABELS, AuditFilter, action_label, list_entries
from lms.cohorts.access import get_cohort_for, require_role

bp = Blueprint("audit", __name__, template_folder="templates")


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/c/<slug>/audit")
@login_required
def audit_page(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    require_role(membership, "organizer")
    action = request.args.get("action", "")
    flt = AuditFilter(action=action if action in ACTION_LABELS else "",
                      actor=request.args.get("actor", "")[:100].replace("\x00", ""),
                      since=_date("since"), until=_date("until"))
    page = list_entries(cohort.id, flt, page=request.args.get("page", 1, type=int))
    query = {k: v for k, v in (("action", flt.action), ("actor", flt.actor),
                               ("since", flt.since), ("until", flt.until)) if v}
    return render_template("audit/audit.html", cohort=cohort, page=page, flt=flt,
                           actions=ACTION_LABELS, action_label=action_label, query=query)
