"""JSON API of notifications (CONTRACT: Notifications) on the api_v1 blueprint."""

from __future__ import annotations

from typing import Literal

from flask import jsonify, request

from lms.api import api_bp, caller, json_body
from lms.api.validation import Body, validate
from lms.errors import BadRequest
from lms.extensions import db
from lms.notifications import services
from lms.notifications.kinds import KINDS, MAIL_CHOICES


class KindSettingIn(Body):
    enabled: bool | None = None
    mail: Literal[MAIL_CHOICES] | None = None  # type: ignore[valid-type]


class SettingsIn(Body):
    """Only the kinds given change; the others keep their setting."""
    settings: dict[Literal[KINDS], KindSettingIn]  # type: ignore[valid-type]


SETTINGS_OUT = {"type": "object", "properties": {"settings": {
    "type": "object", "description": "{種類: {enabled, mail}}。mail は none / digest / immediate",
    "additionalProperties": {"type": "object", "properties": {
        "enabled": {"type": "boolean"}, "mail": {"enum": list(MAIL_CHOICES)}}}}}}


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


@api_bp.get("/notifications/settings")
@validate(responses={200: SETTINGS_OUT}, summary="自分の通知設定（種類ごとの表示・メール）")
def read_notification_settings():
    return jsonify({"settings": services.user_settings(caller())})


@api_bp.put("/notifications/settings")
@validate(json=SettingsIn, responses={200: SETTINGS_OUT},
          summary="通知設定を変える（渡した種類だけ。"
                  "enabled: 表示する、mail: none/digest/immediate）")
def save_notification_settings(body: SettingsIn):
    user = caller()
    for kind, choice in body.settings.items():
        services.set_setting(user.id, kind, enabled=choice.enabled, mail=choice.mail)
    db.session.commit()
    return jsonify({"settings": services.user_settings(user)})


def _register_openapi() -> None:
    from lms.api.openapi import add_paths, operation, path_param
    from lms.notifications.openapi import notification_paths

    add_paths(notification_paths(operation, path_param))


_register_openapi()
