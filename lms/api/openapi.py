"""The OpenAPI 3.1 document for /api/v1."""

from __future__ import annotations

from lms import __version__

ERROR = {"$ref": "#/components/schemas/Error"}


def _op(summary: str, ok: dict, *, errors: tuple[int, ...] = (401,), params=None, body=None):
    responses = {"200": {"description": "OK", "content": {"application/json": {"schema": ok}}}}
    for status in errors:
        responses[str(status)] = {"description": "エラー",
                                  "content": {"application/json": {"schema": ERROR}}}
    op = {"summary": summary, "responses": responses}
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": body}}}
    return op


def _path_param(name: str, kind: str = "string") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def build_openapi() -> dict:
    channel = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "kind": {"enum": ["cohort", "team"]}, "team_id": {"type": ["integer", "null"]},
            "unread": {"type": "integer"},
        },
    }
    me = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
            "cohorts": {"type": "array", "items": {"type": "object", "properties": {
                "slug": {"type": "string"}, "title": {"type": "string"},
                "role": {"enum": ["organizer", "trainer", "participant"]},
                "team_id": {"type": ["integer", "null"]},
                "municipality": {"type": ["object", "null"]},
            }}},
        },
    }
    goal = {"type": "object", "properties": {
        "verdict": {"enum": ["means", "outcome", "unclear"]},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "suggestion": {"type": ["string", "null"]},
        "level": {"type": ["string", "null"]},
        "slots": {"type": "object"}, "goals": {"type": "array"},
    }}
    return {
        "openapi": "3.1.0",
        "info": {"title": "自治体DX研修 LMS API", "version": __version__},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "properties": {"error": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }}}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/me": {"get": _op("自分のアカウントと所属する研修", me)},
            "/goals/check": {"post": _op(
                "目標チェッカー", goal, errors=(400, 401, 422),
                body={"type": "object", "required": ["text"],
                      "properties": {"text": {"type": "string", "maxLength": 2000}}})},
            "/cohorts/{slug}/channels": {"get": _op(
                "読めるチャンネルの一覧", {"type": "array", "items": channel},
                errors=(401, 404), params=[_path_param("slug")])},
            **_homework_paths(),
            **_channel_paths(),
            **_notification_paths(),
        },
    }


def _homework_paths() -> dict:
    from lms.homework.openapi import homework_paths

    return homework_paths(_op, _path_param)


def _channel_paths() -> dict:
    from lms.channels.openapi import channel_paths

    return channel_paths(_op, _path_param)


def _notification_paths() -> dict:
    from lms.notifications.openapi import notification_paths

    return notification_paths(_op, _path_param)
