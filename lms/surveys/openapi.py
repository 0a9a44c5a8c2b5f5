"""The survey part of the OpenAPI document (merged in by lms.api.openapi)."""

from __future__ import annotations


def survey_paths(op, path_param) -> dict:
    """Surveys, responses, results, opening and closing, and the feedback export."""
    question = {"type": "object", "properties": {
        "id": {"type": "string"}, "kind": {"enum": ["rating", "text", "choice"]},
        "label": {"type": "string"}, "required": {"type": "boolean"},
        "choices": {"type": "array", "items": {"type": "string"}}}}
    survey = {"type": "object", "properties": {
        "id": {"type": "integer"}, "key": {"type": "string"}, "title": {"type": "string"},
        "session_number": {"type": ["integer", "null"], "description": "null: 全体アンケート"},
        "anonymous": {"type": "boolean"}, "open": {"type": "boolean"},
        "questions": {"type": "array", "items": question}}}
    response = {"type": "object", "properties": {
        "survey_id": {"type": "integer"}, "answers": {"type": "object"},
        "answered": {"type": "boolean"}}}
    results = {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"},
        "session_number": {"type": ["integer", "null"]}, "anonymous": {"type": "boolean"},
        "responses": {"type": "integer"},
        "questions": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string"}, "label": {"type": "string"}, "kind": {"type": "string"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "answers": {"type": "array", "items": {"type": "string"}}}}}},
        "description": "氏名・メールアドレス・利用者IDは含まない"}
    sid = [path_param("id", "integer")]

    def download(kind: str, mime: str) -> dict:
        return {"summary": f"フィードバックの出力（{kind}、主催者のみ）。1行に1回答、"
                           "無記名のアンケートは氏名・自治体が空欄",
                "parameters": [path_param("slug")],
                "responses": {"200": {"description": "ファイル", "content": {mime: {}}},
                              "401": {"description": "エラー"}, "403": {"description": "エラー"},
                              "404": {"description": "エラー"}}}

    return {
        "/cohorts/{slug}/surveys": {"get": op("研修のアンケート", {"type": "array",
                                                                  "items": survey},
                                              errors=(401, 404), params=[path_param("slug")])},
        "/surveys/{id}/response": {
            "get": op("自分の回答（受講者）", response, errors=(401, 403, 404), params=sid),
            "put": op("回答する・直す（受講者、1人1回答、締切まで）。必須の未回答・範囲外の評価・"
                      "締切後は 422", response, errors=(400, 401, 403, 404, 422), params=sid,
                      body={"type": "object", "required": ["answers"], "properties": {
                          "answers": {"type": "object",
                                      "description": "{設問ID: 回答}。評価は1〜5の整数"}}})},
        "/surveys/{id}/results": {"get": op("集計結果（講師・主催者）", results,
                                            errors=(401, 403, 404), params=sid)},
        "/surveys/{id}/open": {"post": op("回答の受付を始める（講師・主催者）", survey,
                                          errors=(401, 403, 404), params=sid)},
        "/surveys/{id}/close": {"post": op("締め切る（講師・主催者）", survey,
                                           errors=(401, 403, 404), params=sid)},
        "/cohorts/{slug}/export/feedback.csv": {"get": download("CSV、UTF-8 BOM付き", "text/csv")},
        "/cohorts/{slug}/export/feedback.xlsx": {"get": download(
            "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
    }
