"""Export downloads: GET /api/v1/cohorts/<slug>/export/<name>.<csv|xlsx> (organizers)."""

from __future__ import annotations

from datetime import date

from flask import Response, request

from lms.api import api_bp, caller
from lms.api.openapi import add_paths, operation, path_param
from lms.audit.services import AuditFilter, record
from lms.errors import NotFound
from lms.exports.access import get_cohort_for_export
from lms.exports.builders import EXPORTS, audit_table, homework_status_table
from lms.exports.openapi import export_paths
from lms.exports.sending import send_table
from lms.extensions import db


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def audit_filter_from_args() -> AuditFilter:
    return AuditFilter(action=request.args.get("action", "")[:64],
                       actor=request.args.get("actor", "")[:100].replace("\x00", ""),
                       since=_date("since"), until=_date("until"))


@api_bp.get("/cohorts/<slug>/export/<name>.<fmt>")
def export_table(slug: str, name: str, fmt: str):
    user = caller()
    cohort = get_cohort_for_export(user, slug)
    if name not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise NotFound("そのエクスポートはありません。")
    title, builder, _streams = EXPORTS[name]
    params = {}
    if name == "homework":
        params["by"] = request.args.get("by", "person")
        headers, rows = homework_status_table(cohort, params["by"])
    elif name == "audit":
        flt = audit_filter_from_args()
        params = {k: str(v) for k, v in vars(flt).items() if v}
        headers, rows = audit_table(cohort, flt)
    else:
        headers, rows = builder(cohort)
    record(user, "export.download", cohort, after={"export": name, "format": fmt, **params},
           label=f"{title}（{fmt.upper()}）")
    db.session.commit()  # the audit entry is stored before the download starts
    return send_table(headers, rows, fmt=fmt, ascii_stem=f"{cohort.slug}_{name}",
                      title=f"{title}_{cohort.slug}", sheet_title=title)


@api_bp.get("/cohorts/<slug>/export/proposals.zip")
def export_proposals_zip(slug: str):
    """Every team's proposal as a Word file, in one zip (organizers)."""
    from urllib.parse import quote

    from lms.exports.proposals_zip import proposals_zip

    user = caller()
    cohort = get_cohort_for_export(user, slug)
    body = proposals_zip(cohort)
    record(user, "export.download", cohort, after={"export": "proposals", "format": "zip"},
           label="提案書（Word の zip）")
    db.session.commit()
    name = f"提案書_{cohort.slug}.zip"
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f"attachment; filename=\"{cohort.slug}_proposals.zip\"; "
                               f"filename*=UTF-8''{quote(name, safe='')}",
        "Cache-Control": "private, no-store"})


add_paths(export_paths(operation, path_param))
