"""Domain errors with Japanese messages, and HTML / JSON error handlers."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES_JA = {
    400: "リクエストの形式が正しくありません。",
    401: "ログインが必要です。",
    403: "この操作を行う権限がありません。",
    404: "ページが見つかりません。",
    405: "この方法では操作できません。",
    409: "他の人が先に更新しました。最新の内容を確認してください。",
    413: "ファイルまたはリクエストが大きすぎます。",
    415: "このファイル形式は受け付けていません。",
    422: "入力内容を確認してください。",
    429: "操作が多すぎます。しばらく待ってからやり直してください。",
    500: "サーバーで問題が発生しました。時間をおいてやり直してください。",
    503: "現在サービスを利用できません。",
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


class DomainError(Exception):
    """An error a user caused or may see: an HTTP status, a code and a Japanese message."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 extra: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.extra = extra or {}


class ValidationError(DomainError):
    status = 422
    code = "invalid"


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unauthorized(DomainError):
    """No identity, or a bad one (API)."""

    status = 401
    code = "unauthorized"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedType(DomainError):
    status = 415
    code = "unsupported_type"


class RateLimited(DomainError):
    """Too many actions; `extra["retry_after"]` says how many seconds to wait."""

    status = 429
    code = "rate_limited"

    @property
    def retry_after(self) -> int:
        return int(self.extra.get("retry_after", 60))


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def json_error(status: int, code: str, message: str, extra: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if extra:
        body["error"].update(extra)
    return jsonify(body), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        if wants_json():
            return json_error(exc.status, exc.code, exc.message, exc.extra)
        return render_template("errors/error.html", status=exc.status,
                               message=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        status = exc.code or 500
        message = MESSAGES_JA.get(status, exc.description or "")
        if wants_json():
            response = json_error(status, CODES.get(status, "error"), message)
            if status == 429 and exc.response is not None:
                retry = exc.response.headers.get("Retry-After")
                if retry:
                    response[0].headers["Retry-After"] = retry
            return response
        if status == 429 and exc.response is not None:
            out = render_template("errors/error.html", status=status, message=message), status
            return out[0], status, {"Retry-After": exc.response.headers.get("Retry-After", "60")}
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(500)
    def handle_server_error(exc):
        if wants_json():
            return json_error(500, "server_error", MESSAGES_JA[500])
        return render_template("errors/error.html", status=500, message=MESSAGES_JA[500]), 500
