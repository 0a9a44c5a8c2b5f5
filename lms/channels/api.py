"""Channel routes of /api/v1."""

from __future__ import annotations

from flask import jsonify

from lms.api import api_bp, caller
from lms.channels.access import readable_channels
from lms.cohorts.access import get_cohort_for


def channel_to_dict(channel, unread: int = 0) -> dict:
    return {"id": channel.id, "name": channel.name, "kind": channel.kind,
            "team_id": channel.team_id, "unread": unread}


@api_bp.get("/cohorts/<slug>/channels")
def list_channels(slug: str):
    _cohort, membership = get_cohort_for(caller(), slug)
    # Messages arrive with the channels issue; until then nothing can be unread.
    return jsonify([channel_to_dict(c) for c in readable_channels(membership)])
