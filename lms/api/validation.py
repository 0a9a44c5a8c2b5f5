"""Request validation at the API edge: pydantic models in, CONTRACT errors out, and the
OpenAPI operations generated from the same declarations.

A view declares what it takes:

    @api_bp.post("/retros/<int:retro_id>/cards")
    @validate(json=CardIn, responses={201: CardOut})
    def add_card(retro_id: int, body: CardIn): ...

`json=` parses the request's JSON object into `body`, `query=` the query string into `query`.
Malformed input (not JSON, too deep, wrong type, missing field) is 400; a well-formed value
against a rule (too long, empty, out of range, unknown choice, NUL) is 422; both answer
`{"error": {"code", "message"}}` with a Japanese message naming the field. Socket.IO handlers
use `parse(Model, payload)` for the same rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

from flask import request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from lms.edge import MAX_JSON_DEPTH, json_depth_exceeds  # noqa: F401  (one scanner)
from lms.errors import BadRequest, ValidationError

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Refuse what no database should store: NUL and lone surrogates."""
    if "\x00" in value:
        raise ValueError("使えない文字（NUL）が含まれています。")
    if _SURROGATE.search(value):
        raise ValueError("正しくない文字（サロゲート）が含まれています。")
    return value


# Text any field may carry: use with Field(max_length=...) taken from the model's column.
Text = Annotated[str, AfterValidator(clean_text)]
# Database ids: positive and within PostgreSQL's integer.
Id = Annotated[int, Field(ge=1, le=INT32_MAX)]
BigId = Annotated[int, Field(ge=1, le=INT64_MAX)]


class Body(BaseModel):
    """Base of JSON request bodies: types are strict (a "5" is not an integer)."""

    model_config = ConfigDict(strict=True, extra="ignore", str_strip_whitespace=False)


class Query(BaseModel):
    """Base of query strings: every value arrives as text, so types are converted."""

    model_config = ConfigDict(extra="ignore")


# pydantic error types that mean "malformed" (400); everything else is a broken rule (422).
_MALFORMED = {"missing", "model_type", "model_attributes_type", "dict_type", "json_invalid",
              "json_type", "is_instance_of"}


def _field(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "本文"


def _message(err: dict) -> str:
    kind, ctx, field = err["type"], err.get("ctx") or {}, _field(err["loc"])
    if kind == "missing":
        return f"{field} を指定してください。"
    if kind.endswith("_type") or kind.endswith("_parsing") or kind in _MALFORMED:
        return f"{field} の形式が正しくありません。"
    is_text = isinstance(err.get("input"), str)
    if kind == "string_too_long" or (kind == "too_long" and is_text):
        return f"{field} は{ctx.get('max_length')}文字以内にしてください。"
    if kind == "string_too_short" or (kind == "too_short" and is_text):
        if ctx.get("min_length") == 1:
            return f"{field} を入力してください。"
        return f"{field} は{ctx.get('min_length')}文字以上にしてください。"
    if kind == "too_long":
        return f"{field} の数が多すぎます（{ctx.get('max_length')}件まで）。"
    if kind == "too_short":
        return f"{field} の数が足りません（{ctx.get('min_length')}件以上）。"
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        return f"{field} の値が範囲外です。"
    if kind in {"literal_error", "enum"}:
        return f"{field} の値が正しくありません（{ctx.get('expected', '')}）。"
    if kind == "value_error":
        return f"{field}: {str(ctx.get('error', err.get('msg', '')))}"
    return f"{field} の値が正しくありません。"


def _is_malformed(err: dict) -> bool:
    kind = err["type"]
    return kind in _MALFORMED or kind.endswith("_type") or kind.endswith("_parsing")


def parse(model: type[BaseModel], data: Any):
    """Validate `data` against `model`; raises BadRequest (400) or ValidationError (422)."""
    if issubclass(model, Body) and not isinstance(data, dict):
        raise BadRequest("JSON オブジェクトを送ってください。")
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        errors = exc.errors(include_url=False)
        first = next((e for e in errors if _is_malformed(e)), errors[0])
        error_class = BadRequest if _is_malformed(first) else ValidationError
        extra = {"field": str(first["loc"][0])} if first["loc"] else None
        raise error_class(_message(first), extra=extra) from None


def request_json() -> Any:
    """The request's JSON document; BadRequest when it is missing, broken or too deep."""
    raw = request.get_data(cache=True)
    if not raw:
        raise BadRequest("JSON を送ってください。")
    if json_depth_exceeds(raw):
        raise BadRequest("JSON の入れ子が深すぎます。")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("JSON の形式が正しくありません。") from None


def validate(*, json: type[Body] | None = None, query: type[Query] | None = None,
             responses: dict[int, Any] | None = None, summary: str | None = None,
             multipart: dict | None = None):
    """Parse the body into `body` and the query string into `query`, and record both (and
    the documented responses) for the OpenAPI document. `multipart` documents a
    multipart/form-data body (a JSON schema of its parts) that the view parses itself."""

    def decorate(view: Callable):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if query is not None:
                kwargs["query"] = parse(query, request.args.to_dict())
            if json is not None:
                kwargs["body"] = parse(json, request_json())
            return view(*args, **kwargs)

        wrapper.api_schema = {"json": json, "query": query, "multipart": multipart,
                              "responses": responses or {},
                              "summary": summary or (view.__doc__ or "").strip().split("\n")[0]}
        return wrapper

    return decorate


# --- OpenAPI from the declarations ------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _schema_of(model, components: dict) -> dict:
    if isinstance(model, dict):  # a hand-written schema for a response that has no model
        return model
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}",
                                     mode="validation" if issubclass(model, Body)
                                     else "serialization")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def openapi_operations(app, blueprint_prefix: str = "api_v1.") -> tuple[dict, dict]:
    """(paths, component schemas) for every API view declared with @validate."""
    paths: dict[str, dict] = {}
    components: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(blueprint_prefix):
            continue
        spec = getattr(app.view_functions[rule.endpoint], "api_schema", None)
        if spec is None:
            continue
        path_params = []
        for converter, name in _CONVERTER.findall(rule.rule):
            kind = "integer" if converter == "int" else "string"
            path_params.append({"name": name, "in": "path", "required": True,
                                "schema": {"type": kind}})
        path = _CONVERTER.sub(r"{\2}", rule.rule).removeprefix("/api/v1")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {"summary": spec["summary"], "parameters": list(path_params)}
            if spec["query"] is not None:
                qs = spec["query"].model_json_schema()
                required = set(qs.get("required", []))
                for name, prop in qs.get("properties", {}).items():
                    op["parameters"].append({"name": name, "in": "query",
                                             "required": name in required, "schema": prop})
            if spec["json"] is not None:
                op["requestBody"] = {"required": True, "content": {"application/json": {
                    "schema": _schema_of(spec["json"], components)}}}
            elif spec.get("multipart"):
                op["requestBody"] = {"required": True, "content": {
                    "multipart/form-data": {"schema": spec["multipart"]}}}
            responses = {}
            for status, model in (spec["responses"] or {200: {}}).items():
                content = {}
                if model:
                    content = {"application/json": {"schema": _schema_of(model, components)}}
                responses[str(status)] = {"description": "OK", **(
                    {"content": content} if content else {})}
            for status in (400, 401, 403, 404, 422):
                responses.setdefault(str(status), {
                    "description": "エラー", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}})
            op["responses"] = responses
            paths.setdefault(path, {})[method.lower()] = op
    return paths, components
