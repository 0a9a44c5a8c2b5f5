"""GET /api/v1/me: the caller and the cohorts they belong to."""

from __future__ import annotations

from flask import jsonify

from lms.api import api_bp, caller
from lms.api.openapi import add_paths, operation
from lms.cohorts.services import memberships_of


@api_bp.get("/me")
def me():
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


ME = {"type": "object", "properties": {
    "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
    "cohorts": {"type": "array", "items": {"type": "object", "properties": {
        "slug": {"type": "string"}, "title": {"type": "string"},
        "role": {"enum": ["organizer", "trainer", "participant"]},
        "team_id": {"type": ["integer", "null"]},
        "municipality": {"type": ["object", "null"]},
    }}},
}}
add_paths({"/me": {"get": operation("自分のアカウントと所属する研修", ME)}})
