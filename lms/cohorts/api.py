"""GET /api/v1/me: the caller and the cohorts they belong to."""

from __future__ import annotations

from flask import jsonify

from lms.api import api_bp, caller
from lms.api.validation import validate
from lms.cohorts.schemas import MeOut
from lms.cohorts.services import memberships_of


@api_bp.get("/me")
@validate(responses={200: MeOut})
def me():
    """自分のアカウントと所属する研修"""
    user = caller()
    return jsonify({
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "cohorts": [{
            "slug": m.cohort.slug,
            "title": m.cohort.title,
            "role": m.role,
            "team_id": team_id,
            "municipality": ({"code": m.municipality.code, "name": m.municipality.name}
                             if m.municipality else None),
        } for m, team_id in memberships_of(user)],
    })

