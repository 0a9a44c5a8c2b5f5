"""OpenAPI paths of the channel routes (added to /api/v1/openapi.json by channels/api.py)."""

from __future__ import annotations

CHANNEL = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"},
    "kind": {"enum": ["cohort", "team"]}, "team_id": {"type": ["integer", "null"]},
    "unread": {"type": "integer"},
}}

MESSAGE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "channel_id": {"type": "integer"},
    "seq": {"type": "integer", "description": "チャンネル内の通し番号（欠けの検出用）"},
    "author": {"type": "object", "properties": {"id": {"type": "integer"},
                                                "name": {"type": "string"}}},
    "body": {"type": "string"}, "body_html": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"},
    "edited_at": {"type": ["string", "null"], "format": "date-time"},
    "deleted": {"type": "boolean"}, "hidden": {"type": "boolean"},
    "parent_id": {"type": ["integer", "null"]},
    "reactions": {"type": "array", "items": {"type": "object", "properties": {
        "emoji": {"type": "string"}, "count": {"type": "integer"},
        "user_ids": {"type": "array", "items": {"type": "integer"}}}}},
    "mentions": {"type": "array", "items": {"type": "object"}},
}}
MESSAGES = {"type": "array", "items": MESSAGE}


def _query(name: str, kind: str = "integer", required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}}


def channel_paths(op, path_param) -> dict:
    cid, mid = path_param("id", "integer"), path_param("id", "integer")
    post = op("メッセージを投稿（client_msg_id が同じ再送は 200 で同じメッセージ）", MESSAGE,
              errors=(400, 401, 403, 404, 422, 429), params=[cid],
              body={"type": "object", "required": ["body"], "properties": {
                  "body": {"type": "string", "maxLength": 10000},
                  "client_msg_id": {"type": "string", "maxLength": 64},
                  "parent_id": {"type": ["integer", "null"]}}})
    post["responses"]["201"] = {"description": "作成しました",
                                "content": {"application/json": {"schema": MESSAGE}}}
    body_only = {"type": "object", "required": ["body"],
                 "properties": {"body": {"type": "string", "maxLength": 10000}}}
    return {
        "/cohorts/{slug}/channels": {"get": op(
            "読めるチャンネルの一覧", {"type": "array", "items": CHANNEL},
            errors=(401, 404), params=[path_param("slug")])},
        "/channels/{id}/messages": {
            "get": op("メッセージ（古い順）。after_id は取りこぼさない", MESSAGES,
                      errors=(400, 401, 404), params=[cid, _query("limit"),
                                                      _query("after_id"),
                                                      _query("before_id")]),
            "post": post,
        },
        "/channels/{id}/read": {"post": op(
            "既読にする（既定は最新まで）",
            {"type": "object", "properties": {"channel_id": {"type": "integer"},
                                              "last_read_id": {"type": "integer"},
                                              "unread": {"type": "integer"}}},
            errors=(400, 401, 404), params=[cid],
            body={"type": "object", "properties": {"last_read_id": {"type": "integer"}}})},
        "/messages/{id}": {
            "patch": op("自分のメッセージを編集", MESSAGE, errors=(400, 401, 403, 404, 422),
                        params=[mid], body=body_only),
            "delete": op("自分のメッセージを削除", MESSAGE, errors=(401, 403, 404),
                         params=[mid]),
        },
        "/messages/{id}/hide": {"post": op("講師・主催者がメッセージを非表示にする", MESSAGE,
                                           errors=(401, 403, 404), params=[mid])},
        "/messages/{id}/reactions": {"post": op(
            "リアクションを付ける", MESSAGE, errors=(400, 401, 404, 422), params=[mid],
            body={"type": "object", "required": ["emoji"],
                  "properties": {"emoji": {"enum": ["👍", "❤️", "😄", "🎉", "🙏", "👀", "💡"]}}})},
        "/messages/{id}/reactions/{emoji}": {"delete": op(
            "自分のリアクションを外す", MESSAGE, errors=(401, 404, 422),
            params=[mid, path_param("emoji")])},
        "/cohorts/{slug}/search": {"get": op(
            "読めるチャンネルのメッセージを検索（部分一致・新しい順）", MESSAGES,
            errors=(400, 401, 404, 422),
            params=[path_param("slug"), _query("q", "string", True), _query("limit")])},
    }
