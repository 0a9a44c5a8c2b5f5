"""The proposals part of the OpenAPI document (merged in by lms.api.openapi). Operations
declared with @validate in api.py are generated from their pydantic models and replace the
hand-written ones; the response schemas below serve both."""

from __future__ import annotations

SUMMARY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "team_id": {"type": "integer"},
    "status": {"enum": ["draft", "submitted", "changes_requested", "approved"]},
    "revision": {"type": "integer"}}}
PROPOSAL_LIST = {"type": "array", "items": SUMMARY}
REVIEW = {"type": ["object", "null"], "properties": {
    "decision": {"enum": ["changes_requested", "approved", None]},
    "scores": {"type": "object", "additionalProperties": {"type": "integer"}},
    "released_at": {"type": ["string", "null"], "format": "date-time"}}}
PROPOSAL = {"type": "object", "properties": {
    **SUMMARY["properties"],
    "sections": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "title": {"type": "string"}, "body": {"type": "string"}}}},
    "goals": {"type": "object", "description": "目標の章の check_goal(...).to_dict()"},
    "rubric": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "label": {"type": "string"},
        "levels": {"type": "array", "items": {"type": "string"}}}}},
    "review": REVIEW}}
COMMENT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "section": {"type": "string"},
    "parent_id": {"type": ["integer", "null"]}, "body": {"type": "string"},
    "body_html": {"type": "string"}, "author": {"type": ["object", "null"]},
    "created_at": {"type": "string", "format": "date-time"},
    "released": {"type": "boolean"}, "resolved": {"type": "boolean"}}}
VERSIONS = {"type": "array", "items": {"type": "object", "properties": {
    "revision": {"type": "integer"}, "author": {"type": ["object", "null"]},
    "created_at": {"type": "string", "format": "date-time"}}}}


def proposal_paths(op, path_param) -> dict:
    """Paths for proposals: list, read, save, history, diff, submit, comments, review,
    publish, Word export; `op` builds an operation."""
    pid = [path_param("id", "integer")]
    summary, proposal, comment = SUMMARY, PROPOSAL, COMMENT
    save = op("提案書を保存する（チームのメンバー）。revision が古ければ 409（error.proposal に"
              "最新の提案書）で何も書き換えない。知らない章・20,000文字を超える章は 422",
              proposal, errors=(400, 401, 403, 404, 409, 422), params=pid,
              body={"type": "object", "required": ["revision", "sections"], "properties": {
                  "revision": {"type": "integer"},
                  "sections": {"type": "object",
                               "additionalProperties": {"type": "string", "maxLength": 20000}}}})
    add_comment = op("章へのコメント（講師・主催者）。parent_id で返信（チームは公開後のコメント"
                     "への返信のみ）", comment, errors=(400, 401, 403, 404, 422), params=pid,
                     body={"type": "object", "required": ["section", "body"], "properties": {
                         "section": {"type": "string"}, "body": {"type": "string"},
                         "parent_id": {"type": ["integer", "null"]}}})
    add_comment["responses"]["201"] = add_comment["responses"].pop("200")
    put_review = op("採点・判定・講評の公開（講師・主催者）。点数は1〜満点、release=true で"
                    "チームに公開し状態を判定に変える", proposal,
                    errors=(400, 401, 403, 404, 422), params=pid,
                    body={"type": "object", "properties": {
                        "scores": {"type": "object",
                                   "additionalProperties": {"type": "integer", "minimum": 1,
                                                            "maximum": 5}},
                        "decision": {"enum": ["changes_requested", "approved", None]},
                        "release": {"type": "boolean"}}})
    docx = {"summary": "Word ファイル（全章）", "parameters": pid, "responses": {
        "200": {"description": "docx", "content": {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}},
        "401": {"description": "エラー"}, "404": {"description": "エラー"}}}
    return {
        "/cohorts/{slug}/proposals": {"get": op(
            "読める提案書の一覧（受講者は公開までは自分のチームのみ）",
            {"type": "array", "items": summary}, errors=(401, 404),
            params=[path_param("slug")])},
        "/cohorts/{slug}/proposals/publish": {"post": op(
            "全チームの提案書を受講者全員に公開する（主催者、最終回の後）",
            {"type": "object"}, errors=(401, 403, 404, 422), params=[path_param("slug")])},
        "/proposals/{id}": {"get": op("提案書（講評は公開後のみチームに見える）", proposal,
                                      errors=(401, 404), params=pid), "put": save},
        "/proposals/{id}/versions": {"get": op("版の一覧（新しい順）", {"type": "array"},
                                               errors=(401, 404), params=pid)},
        "/proposals/{id}/diff": {"get": op(
            "2つの版の章ごとの差分（unified diff）", {"type": "object"}, errors=(400, 401, 404,
                                                                           422),
            params=pid + [{"name": "from", "in": "query", "required": True,
                           "schema": {"type": "integer"}},
                          {"name": "to", "in": "query", "required": True,
                           "schema": {"type": "integer"}}])},
        "/proposals/{id}/submit": {"post": op(
            "提出する（目標が手段でも止めず、講師向けに印を付ける）", proposal,
            errors=(401, 403, 404, 422), params=pid)},
        "/proposals/{id}/comments": {
            "get": op("コメント（講師・主催者は常に、チームは講評の公開後）",
                      {"type": "array", "items": comment}, errors=(401, 404), params=pid),
            "post": add_comment},
        "/proposals/{id}/review": {"put": put_review},
        "/proposals/{id}/export.docx": {"get": docx},
    }
