"""The homework part of the OpenAPI document (added by lms.homework.api)."""

from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}


def homework_paths(op, path_param) -> dict:
    """Paths for homework (list, add, remove), drafts, submissions, files and review;
    `op` builds an operation."""
    homework = {"type": "object", "properties": {
        "id": {"type": "integer"}, "session_number": {"type": "integer"},
        "title": {"type": "string"}, "kind": {"enum": ["individual", "municipality", "team"]},
        "due_at": {"type": "string", "format": "date-time"},
        "late_policy": {"enum": ["accept", "close"]}, "closed": {"type": "boolean"}}}
    detail = {**homework, "properties": {
        **homework["properties"], "key": {"type": "string"},
        "instructions": {"type": "string"}, "instructions_html": {"type": "string"},
        "goal_setting": {"type": "boolean"}}}
    new_homework = {"type": "object",
                    "required": ["session_number", "title", "kind", "due_at"], "properties": {
                        "session_number": {"type": "integer", "minimum": 1},
                        "title": {"type": "string", "minLength": 1, "maxLength": 200},
                        "kind": {"enum": ["individual", "municipality", "team"]},
                        "instructions": {"type": "string", "description": "Markdown"},
                        "due_at": {"type": "string", "format": "date-time", "description":
                                   "ISO 8601。オフセットがなければ日本時間（Asia/Tokyo）"},
                        "late_policy": {"enum": ["accept", "close"], "default": "accept"},
                        "goal_setting": {"type": "boolean", "default": False}}}
    add = op("宿題を追加する（講師・主催者）。key は研修内で一意に自動で付く。"
             "型の誤り・項目の不足・日時として読めない due_at は 400、"
             "空や長すぎるタイトル・一覧にない kind / late_policy・研修にない回は 422"
             "（error.field に項目名）", detail, errors=(400, 401, 403, 404, 422),
             params=[path_param("slug")], body=new_homework)
    add["responses"]["201"] = add["responses"].pop("200")
    add["responses"]["201"]["description"] = "追加した"
    remove = op("宿題を削除する（講師・主催者）。下書きも消える。提出物が1件でもあれば 422 "
                "（code: has_submissions）で何も変えない", {}, errors=(401, 403, 404, 422),
                params=[path_param("id", "integer")])
    remove["responses"].pop("200")
    remove["responses"]["204"] = {"description": "削除した"}
    draft = {"type": "object", "required": ["body", "revision"], "properties": {
        "body": {"type": "string"}, "revision": {"type": "integer"},
        "updated_at": {"type": ["string", "null"]}, "updated_by": {"type": ["string", "null"]}}}
    submission = {"type": "object", "properties": {
        "id": {"type": "integer"}, "homework_id": {"type": "integer"},
        "version": {"type": "integer"}, "late": {"type": "boolean"},
        "body": {"type": "string"}, "body_html": {"type": "string"},
        "submitted_at": {"type": "string", "format": "date-time"},
        "files": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "size": {"type": "integer"},
            "content_type": {"type": "string"}}}},
        "review": {"type": "object", "properties": {
            "status": {"enum": ["ok", "revise", None]}, "feedback": {"type": "string"},
            "feedback_html": {"type": "string"}, "reviewed_at": {"type": ["string", "null"]}}}}}
    submit = op("宿題を提出する（版を追加）。同じ client_submission_id の再送は 200 で同じ版",
                submission, errors=(400, 401, 403, 404, 413, 415, 422),
                params=[path_param("id", "integer")])
    submit["responses"]["201"] = {"description": "提出した", "content": {
        "application/json": {"schema": submission}}}
    submit["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {
            "body": {"type": "string"}, "client_submission_id": {"type": "string"},
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}
    put_draft = op("下書きを保存する（revision が古ければ 409 と最新の下書き）", draft,
                   errors=(400, 401, 403, 404, 409, 422), params=[path_param("id", "integer")],
                   body=draft)
    review = op("講評を保存する（講師・主催者）", submission, errors=(400, 401, 403, 404, 422),
                params=[path_param("id", "integer")],
                body={"type": "object", "required": ["status"], "properties": {
                    "status": {"enum": ["ok", "revise"]}, "feedback": {"type": "string"}}})
    download = {"summary": "添付ファイル（元のファイル名、attachment）",
                "parameters": [path_param("id", "integer")],
                "responses": {"200": {"description": "ファイル",
                                      "content": {"application/octet-stream": {}}},
                              "401": {"description": "エラー"},
                              "404": {"description": "エラー"}}}
    return {
        "/cohorts/{slug}/homework": {
            "get": op("研修の宿題一覧", {"type": "array", "items": homework},
                      errors=(401, 404), params=[path_param("slug")]),
            "post": add},
        "/homework/{id}": {"delete": remove},
        "/homework/{id}/submissions": {"post": submit},
        "/homework/{id}/draft": {
            "get": op("共有の下書き", draft, errors=(401, 403, 404),
                      params=[path_param("id", "integer")]),
            "put": put_draft},
        "/submissions/{id}": {"get": op("提出物と講評", submission, errors=(401, 404),
                                        params=[path_param("id", "integer")])},
        "/submissions/{id}/review": {"put": review},
        "/files/{id}": {"get": download},
    }
