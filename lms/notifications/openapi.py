"""OpenAPI paths of the notification routes (merged into /api/v1/openapi.json)."""

from __future__ import annotations

from lms.notifications.kinds import KINDS

NOTIFICATION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"enum": list(KINDS)}, "text": {"type": "string"},
    "url": {"type": "string"}, "read": {"type": "boolean"},
    "created_at": {"type": "string", "format": "date-time"},
}}


def notification_paths(op, path_param) -> dict:
    query = [{"name": "unread", "in": "query", "required": False,
              "schema": {"enum": ["0", "1"]}},
             {"name": "limit", "in": "query", "required": False,
              "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
             {"name": "before_id", "in": "query", "required": False,
              "schema": {"type": "integer", "minimum": 0}}]
    return {
        "/notifications": {"get": op("自分のお知らせ（新しい順）",
                                     {"type": "array", "items": NOTIFICATION},
                                     errors=(400, 401), params=query)},
        "/notifications/read": {"post": op(
            "お知らせを既読にする（ids または all: true）",
            {"type": "object", "properties": {"updated": {"type": "integer"},
                                              "unread": {"type": "integer"}}},
            errors=(400, 401, 422),
            body={"type": "object", "properties": {
                "ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 500},
                "all": {"type": "boolean"}}})},
    }
