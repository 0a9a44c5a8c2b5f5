"""GET /api/v1/me."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.api import api_bp, caller
from lms.cohorts.models import CohortMunicipality, Membership
from lms.extensions import db


@api_bp.get("/me")
def me():
    user = caller()
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id)
        .options(selectinload(Membership.cohort), selectinload(Membership.municipality))
        .order_by(Membership.id)).all()
    team_rows = db.session.execute(
        select(CohortMunicipality.cohort_id, CohortMunicipality.municipality_code,
               CohortMunicipality.team_id)
        .where(CohortMunicipality.cohort_id.in_([m.cohort_id for m in memberships]))).all()
    teams = {(c, code): team for c, code, team in team_rows}
    return jsonify({
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "cohorts": [{
            "slug": m.cohort.slug,
            "title": m.cohort.title,
            "role": m.role,
            "team_id": teams.get((m.cohort_id, m.municipality_code)),
            "municipality": ({"code": m.municipality.code, "name": m.municipality.name}
                             if m.municipality else None),
        } for m in memberships],
    })
