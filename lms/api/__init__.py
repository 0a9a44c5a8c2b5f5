"""The api_v1 blueprint: bearer or session identity, CSRF for cookie writes, JSON errors."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from lms.auth.models import User
from lms.errors import BadRequest, Unauthorized, json_error
from lms.extensions import csrf

api_bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(api_bp)

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC_ENDPOINTS = {"api_v1.openapi"}


@api_bp.before_request
def identify_caller():
    """Bearer token first; else the browser session, whose writes must carry X-CSRFToken."""
    from lms.auth.services import find_api_token, note_token_use

    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(
                "認証情報の形式が正しくありません（Bearer トークンを指定してください）。")
        row = find_api_token(token.strip())
        if row is None:
            raise Unauthorized("APIトークンが無効です。")
        if note_token_use(row):
            _commit_token_use()
        g.api_user = row.user
        return None
    if current_user.is_authenticated:
        if request.method in UNSAFE_METHODS:
            csrf.protect()
        g.api_user = current_user._get_current_object()
        return None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    raise Unauthorized("ログインするか、APIトークンを指定してください。")


def _commit_token_use() -> None:
    """Store "last used" now, before the view runs: it is best effort, so a busy database
    (SQLite under load) costs the note, never the request."""
    from sqlalchemy.exc import OperationalError

    from lms.extensions import db

    try:
        db.session.commit()
    except OperationalError:
        db.session.rollback()


@api_bp.errorhandler(CSRFError)
def csrf_failed(exc: CSRFError):
    return json_error(400, "csrf_failed",
                      "CSRFトークンがないか、正しくありません。ページを再読み込みしてください。")


def caller() -> User:
    user = g.get("api_user")
    if user is None:
        raise Unauthorized("ログインするか、APIトークンを指定してください。")
    return user


def json_body() -> dict:
    """The request's JSON object; raises BadRequest (400) when it is not one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("JSON オブジェクトを送ってください。")
    return data


@api_bp.get("/openapi.json")
def openapi():
    from lms.api.openapi import build_openapi

    return jsonify(build_openapi())
