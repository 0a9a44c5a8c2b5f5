"""Channel and message routes of /api/v1."""

from __future__ import annotations

from flask import jsonify, request

from lms.api import api_bp, caller, json_body
from lms.api.openapi import add_paths, operation, path_param
from lms.channels import reading, services
from lms.channels.access import (
    get_channel_for,
    get_message_for,
    readable_channels,
    require_author,
    require_post,
    require_staff,
)
from lms.channels.live import broadcast_updated, emit_new
from lms.channels.openapi import channel_paths
from lms.channels.ratelimit import RateLimited, check_post_rate
from lms.cohorts.access import get_cohort_for, is_staff
from lms.errors import BadRequest, json_error
from lms.extensions import db


def channel_to_dict(channel, unread: int = 0) -> dict:
    return {"id": channel.id, "name": channel.name, "kind": channel.kind,
            "team_id": channel.team_id, "unread": unread}


@api_bp.errorhandler(RateLimited)
def rate_limited(exc: RateLimited):
    response, status = json_error(429, exc.code, exc.message, exc.extra)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response, status


def _query_id(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise BadRequest(f"{name} には数値を指定してください。")
    return int(raw)


@api_bp.get("/cohorts/<slug>/channels")
def list_channels(slug: str):
    user = caller()
    _cohort, membership = get_cohort_for(user, slug)
    channels = readable_channels(membership)
    unread = reading.unread_counts(user, [c.id for c in channels])
    return jsonify([channel_to_dict(c, unread[c.id]) for c in channels])


@api_bp.get("/channels/<int:channel_id>/messages")
def list_messages(channel_id: int):
    channel, membership = get_channel_for(caller(), channel_id)
    after_id, before_id = _query_id("after_id"), _query_id("before_id")
    messages = reading.list_messages(channel, after_id=after_id, before_id=before_id,
                                      limit=reading.clean_limit(request.args.get("limit")))
    staff = is_staff(membership)
    return jsonify([reading.message_to_dict(m, staff_view=staff) for m in messages])


@api_bp.post("/channels/<int:channel_id>/messages")
def post_message(channel_id: int):
    user = caller()
    channel, membership = get_channel_for(user, channel_id)
    require_post(membership, channel)
    data = json_body()
    message, created = services.post_message(
        user, channel, data.get("body"), client_msg_id=data.get("client_msg_id"),
        parent_id=data.get("parent_id"), rate_check=lambda: check_post_rate(user.id))
    # Serialise before the commit expires the object: saves reloading what we just wrote.
    payload = reading.message_to_dict(message)
    db.session.commit()
    if created:
        emit_new(payload)
    return jsonify(payload), 201 if created else 200


@api_bp.post("/channels/<int:channel_id>/read")
def mark_read(channel_id: int):
    user = caller()
    channel, _membership = get_channel_for(user, channel_id)
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise BadRequest("JSON オブジェクトを送ってください。")
    up_to = services.clean_id(data.get("last_read_id"), "last_read_id")
    last_read = reading.mark_read(user, channel, up_to)
    db.session.commit()
    return jsonify({"channel_id": channel.id, "last_read_id": last_read,
                    "unread": reading.unread_counts(user, [channel.id])[channel.id]})


@api_bp.patch("/messages/<int:message_id>")
def edit_message(message_id: int):
    user = caller()
    message, channel, _membership = get_message_for(user, message_id)
    require_author(user, message)
    services.edit_message(message, json_body().get("body"), channel)
    db.session.commit()
    broadcast_updated(message)
    return jsonify(reading.message_to_dict(message))


@api_bp.delete("/messages/<int:message_id>")
def delete_message(message_id: int):
    user = caller()
    message, _channel, _membership = get_message_for(user, message_id)
    require_author(user, message)
    services.delete_message(message)
    db.session.commit()
    broadcast_updated(message)
    return jsonify(reading.message_to_dict(message))


@api_bp.post("/messages/<int:message_id>/hide")
def hide_message(message_id: int):
    user = caller()
    message, _channel, membership = get_message_for(user, message_id)
    require_staff(membership)
    services.hide_message(message, user)
    db.session.commit()
    broadcast_updated(message)
    return jsonify(reading.message_to_dict(message, staff_view=True))


@api_bp.post("/messages/<int:message_id>/reactions")
def add_reaction(message_id: int):
    user = caller()
    message, _channel, _membership = get_message_for(user, message_id)
    services.add_reaction(message, user, json_body().get("emoji"))
    db.session.commit()
    broadcast_updated(message)
    return jsonify(reading.message_to_dict(message))


@api_bp.delete("/messages/<int:message_id>/reactions/<emoji>")
def remove_reaction(message_id: int, emoji: str):
    user = caller()
    message, _channel, _membership = get_message_for(user, message_id)
    services.remove_reaction(message, user, emoji)
    db.session.commit()
    broadcast_updated(message)
    return jsonify(reading.message_to_dict(message))


@api_bp.get("/cohorts/<slug>/search")
def search(slug: str):
    user = caller()
    _cohort, membership = get_cohort_for(user, slug)
    channel_ids = [c.id for c in readable_channels(membership)]
    messages = reading.search_messages(channel_ids, request.args.get("q"),
                                        reading.clean_limit(request.args.get("limit")))
    return jsonify([reading.message_to_dict(m) for m in messages])


add_paths(channel_paths(operation, path_param))
