"""The retro part of the OpenAPI document (merged in by lms.api.openapi)."""

from __future__ import annotations

PHASES = ["write", "reveal", "vote", "act", "closed"]


def retro_paths(op, path_param) -> dict:
    """Boards, cards, phases, votes, groups, actions and the timer; `op` builds an operation."""
    person = {"type": ["object", "null"], "properties": {"id": {"type": "integer"},
                                                          "name": {"type": "string"}}}
    summary = {"type": "object", "properties": {
        "id": {"type": "integer"}, "session_number": {"type": "integer"},
        "team_id": {"type": "integer"}, "format": {"type": "string"},
        "phase": {"enum": PHASES}}}
    card = {"type": "object", "properties": {
        "id": {"type": "integer"}, "column": {"type": "string"}, "body": {"type": "string"},
        "author": person, "votes": {"type": "integer"},
        "group_id": {"type": ["integer", "null"]}}}
    action = {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "owner": person,
        "status": {"enum": ["open", "done", "dropped"]}, "comment": {"type": "string"},
        "card_id": {"type": ["integer", "null"]}}}
    board = {"type": "object", "properties": {
        **summary["properties"], "team_name": {"type": "string"},
        "columns": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "title": {"type": "string"},
            "prompt": {"type": "string"}}}},
        "votes_per_person": {"type": "integer"},
        "cards": {"type": "array", "items": card,
                  "description": "公開（reveal）前は呼び出した本人のカードだけ"},
        "hidden_count": {"type": "integer"},
        "carried": {"type": "array", "items": action,
                    "description": "同じチームの前の回のアクション"},
        "actions": {"type": "array", "items": action},
        "my_votes": {"type": "array", "items": {"type": "integer"}},
        "timer_ends_at": {"type": ["string", "null"], "format": "date-time"}}}
    rid = [path_param("id", "integer")]
    session_q = {"name": "session", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1}}

    def created(operation: dict, description: str) -> dict:
        operation["responses"]["201"] = operation["responses"].pop("200")
        operation["responses"]["201"]["description"] = description
        return operation

    add_card = op("カードを書く（チームのメンバー、write の間）。同じ client_card_id の再送は 200",
                  card, errors=(400, 401, 403, 404, 422), params=rid,
                  body={"type": "object", "required": ["column", "body"], "properties": {
                      "column": {"type": "string"},
                      "body": {"type": "string", "minLength": 1, "maxLength": 500},
                      "client_card_id": {"type": "string", "maxLength": 64}}})
    add_card["responses"]["201"] = {"description": "書いた", "content": {
        "application/json": {"schema": card}}}
    vote = created(op("投票する（チームのメンバー、vote の間、1人 votes_per_person 票まで）",
                      {"type": "object", "properties": {"card_id": {"type": "integer"},
                                                        "votes_left": {"type": "integer"}}},
                      errors=(400, 401, 403, 404, 422), params=rid,
                      body={"type": "object", "required": ["card_id"],
                            "properties": {"card_id": {"type": "integer"}}}), "投票した")
    unvote = op("投票を取り消す（vote の間）", {}, errors=(401, 403, 404, 422),
                params=[*rid, path_param("card_id", "integer")])
    unvote["responses"].pop("200")
    unvote["responses"]["204"] = {"description": "取り消した"}
    add_action = created(op("アクションを決める（チームと講師・主催者、act の間）", action,
                            errors=(400, 401, 403, 404, 422), params=rid,
                            body={"type": "object", "required": ["title"], "properties": {
                                "title": {"type": "string", "maxLength": 200},
                                "card_id": {"type": ["integer", "null"]},
                                "owner_id": {"type": ["integer", "null"]}}}), "決めた")
    return {
        "/cohorts/{slug}/retros": {"get": op(
            "回の振り返りボード（受講者は自分のチームの分、講師・主催者は全チーム）",
            {"type": "array", "items": summary}, errors=(400, 401, 404),
            params=[path_param("slug"), session_q])},
        "/retros/{id}": {"get": op("ボード（呼び出した人から見える形）", board,
                                   errors=(401, 404), params=rid)},
        "/retros/{id}/cards": {"post": add_card},
        "/retros/{id}/phase": {"post": op(
            "フェーズを進める（講師・主催者、戻すことはできない）", board,
            errors=(400, 401, 403, 404, 422), params=rid,
            body={"type": "object", "required": ["phase"],
                  "properties": {"phase": {"enum": PHASES}}})},
        "/retros/{id}/timer": {"post": op(
            "フェーズのタイマー（講師・主催者、0で停止）", board, errors=(400, 401, 403, 404, 422),
            params=rid, body={"type": "object", "required": ["minutes"], "properties": {
                "minutes": {"type": "integer", "minimum": 0, "maximum": 120}}})},
        "/retros/{id}/votes": {"post": vote},
        "/retros/{id}/votes/{card_id}": {"delete": unvote},
        "/retros/{id}/groups": {"post": op(
            "同じ列のカードをまとめる（with_id: null で解除）", card,
            errors=(400, 401, 404, 422), params=rid,
            body={"type": "object", "required": ["card_id"], "properties": {
                "card_id": {"type": "integer"}, "with_id": {"type": ["integer", "null"]}}})},
        "/retros/{id}/actions": {"post": add_action},
        "/retro-actions/{id}": {"patch": op(
            "アクションの状況（チームのメンバーと講師・主催者）", action,
            errors=(400, 401, 404, 422), params=rid,
            body={"type": "object", "properties": {
                "status": {"enum": ["open", "done", "dropped"]},
                "comment": {"type": "string", "maxLength": 500}}})},
    }
