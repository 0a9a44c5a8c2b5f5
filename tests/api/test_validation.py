"""The API edge: pydantic declarations give CONTRACT errors (400 malformed, 422 against a
rule, Japanese messages) and the OpenAPI operations."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from flask import Blueprint, Flask, jsonify
from pydantic import Field

from lms.api.validation import (
    Body,
    Id,
    Query,
    Text,
    json_depth_exceeds,
    openapi_operations,
    parse,
    validate,
)
from lms.errors import BadRequest, ValidationError, register_error_handlers


class CardIn(Body):
    column: Literal["keep", "problem", "try"]
    body: Annotated[Text, Field(min_length=1, max_length=500)]
    card_id: Id | None = None


class PageQuery(Query):
    limit: Annotated[int, Field(ge=1, le=100)] = 50


@pytest.fixture
def api():
    app = Flask(__name__)
    bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")

    @bp.post("/boards/<int:board_id>/cards")
    @validate(json=CardIn, query=PageQuery, responses={201: CardIn})
    def add_card(board_id: int, body: CardIn, query: PageQuery):
        """Add a card."""
        return jsonify({"board": board_id, "column": body.column, "limit": query.limit}), 201

    app.register_blueprint(bp)
    register_error_handlers(app)
    return app


def post(app, payload=None, raw=None, qs=""):
    client = app.test_client()
    if raw is not None:
        return client.post(f"/api/v1/boards/1/cards{qs}", data=raw,
                           content_type="application/json")
    return client.post(f"/api/v1/boards/1/cards{qs}", json=payload)


def error(response):
    return response.status_code, response.get_json()["error"]["message"]


def test_a_valid_body_and_query_reach_the_view(api):
    r = post(api, {"column": "try", "body": "次回は早めに共有する"}, qs="?limit=5")
    assert r.status_code == 201
    assert r.get_json() == {"board": 1, "column": "try", "limit": 5}


@pytest.mark.parametrize("payload, raw", [
    (None, b"not json"), (None, b"[1, 2]"), ({"column": "try"}, None),
    ({"column": "try", "body": 5}, None), (None, b"[" * 100_000 + b"]" * 100_000),
])
def test_malformed_input_is_400_in_japanese(api, payload, raw):
    status, message = error(post(api, payload, raw))
    assert status == 400
    assert any("\u3040" <= ch <= "\u30ff" for ch in message)  # kana: a Japanese sentence


@pytest.mark.parametrize("payload, words", [
    ({"column": "later", "body": "x"}, "column"),
    ({"column": "try", "body": ""}, "入力してください"),
    ({"column": "try", "body": "あ" * 501}, "500文字以内"),
    ({"column": "try", "body": "a\x00b"}, "NUL"),
    ({"column": "try", "body": "\ud800"}, "サロゲート"),
    ({"column": "try", "body": "x", "card_id": 2**40}, "範囲外"),
])
def test_input_against_a_rule_is_422_naming_the_problem(api, payload, words):
    status, message = error(post(api, payload))
    assert status == 422
    assert words in message


def test_a_query_out_of_range_is_422(api):
    status, message = error(post(api, {"column": "try", "body": "x"}, qs="?limit=1000"))
    assert (status, "limit" in message) == (422, True)


def test_openapi_operation_comes_from_the_same_declarations(api):
    paths, components = openapi_operations(api)
    op = paths["/boards/{board_id}/cards"]["post"]
    assert op["summary"] == "Add a card."
    assert {p["name"]: p["in"] for p in op["parameters"]} == {"board_id": "path",
                                                               "limit": "query"}
    body = components["CardIn"]
    assert body["properties"]["body"]["maxLength"] == 500
    assert set(body["required"]) == {"column", "body"}
    assert "201" in op["responses"] and "422" in op["responses"]


def test_parse_serves_socket_payloads_with_the_same_rules():
    assert parse(CardIn, {"column": "keep", "body": "よかった"}).column == "keep"
    with pytest.raises(BadRequest):
        parse(CardIn, "not an object")
    with pytest.raises(ValidationError):
        parse(CardIn, {"column": "keep", "body": "x" * 501})


def test_depth_scanner_ignores_brackets_inside_strings():
    assert not json_depth_exceeds(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 5)
    assert json_depth_exceeds(b"[[[[[[]]]]]]", 5)
