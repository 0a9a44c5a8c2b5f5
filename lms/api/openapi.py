"""The OpenAPI 3.1 document for /api/v1."""

from __future__ import annotations

from lms import __version__

ERROR = {"$ref": "#/components/schemas/Error"}


def operation(summary: str, ok: dict, *, errors: tuple[int, ...] = (401,), params=None, body=None):
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


def path_param(name: str, kind: str = "string") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


# Each domain's api.py adds its paths on import (add_paths); nothing here imports a domain.
_PATHS: dict[str, dict] = {}


def add_paths(paths: dict[str, dict]) -> None:
    """Merge a domain's paths ({"/path": {"get": operation, …}}) into the document."""
    for path, operations in paths.items():
        _PATHS.setdefault(path, {}).update(operations)


def build_openapi() -> dict:
    """The document: the paths domains added, then every view declared with @validate
    (which replaces an added operation of the same path and method)."""
    from flask import current_app

    from lms.api.validation import openapi_operations

    doc = _document()
    paths, components = openapi_operations(current_app)
    for path, ops in paths.items():
        doc["paths"].setdefault(path, {}).update(ops)
    doc["components"]["schemas"].update(components)
    doc["paths"] = dict(sorted(doc["paths"].items()))
    return doc


def _document() -> dict:
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
        "paths": {path: dict(ops) for path, ops in _PATHS.items()},
    }
