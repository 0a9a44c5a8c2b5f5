"""JSON API of notifications (CONTRACT: Notifications) on the api_v1 blueprint."""

from __future__ import annotations

from flask import jsonify, request

from lms.api import api_bp, caller, json_body
from lms.errors import BadRequest
from lms.extensions import db
from lms.notifications import services


def _int_arg(name: str, default: int | None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise BadRequest(f"{name} には0以上の整数を指定してください。")
    return int(raw)


@api_bp.get("/notifications")
def list_notifications():
    user = caller()
    unread = request.args.get("unread", "") in ("1", "true")
    notes = services.list_notifications(
        user, unread_only=unread, limit=_int_arg("limit", services.DEFAULT_LIMIT),
        before_id=_int_arg("before_id", None))
    return jsonify([services.notification_to_dict(n) for n in notes])


@api_bp.post("/notifications/read")
def mark_notifications_read():
    user = caller()
    data = json_body()
    everything = data.get("all", False)
    if not isinstance(everything, bool):
        raise BadRequest("all には true か false を指定してください。")
    if not everything and "ids" not in data:
        raise BadRequest("ids（通知IDの配列）か all: true を指定してください。")
    changed = services.mark_read(user, data.get("ids"), everything=everything)
    db.session.commit()
    return jsonify({"updated": changed, "unread": services.unread_count(user.id)})


def _register_openapi() -> None:
    from lms.api.openapi import add_paths, operation, path_param
    from lms.notifications.openapi import notification_paths

    add_paths(notification_paths(operation, path_param))


_register_openapi()
