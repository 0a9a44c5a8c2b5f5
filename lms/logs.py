"""Structured logs: a request id for every request (X-Request-ID, taken from the proxy when
it sends a sane one), one access line per request, and JSON lines when LMS_LOG_JSON=1 (the
default in production) so a log collector can search by request id, user or status."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

access_log = logging.getLogger("lms.access")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id and the
    fields passed in `extra`."""

    FIELDS = ("method", "path", "status", "duration_ms", "user_id", "remote_addr")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is None and has_request_context():
            request_id = g.get("request_id")
        if request_id:
            entry["request_id"] = request_id
        for name in self.FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def install_request_logging(app: Flask) -> None:
    if app.config.get("LOG_JSON"):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.INFO)

    @app.before_request
    def assign_request_id():
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex
        g.request_started = time.monotonic()

    @app.after_request
    def log_request(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        started = g.get("request_started")
        if started is not None and request.endpoint != "static":
            # The user the request already loaded (Flask-Login's cache), never loaded here:
            # loading it would query a database that may be down (the 503 answer would
            # then turn into a 500 on its way out).
            user_id = getattr(g.get("_login_user"), "id", None)
            access_log.info("%s %s %s", request.method, request.path, response.status_code,
                            extra={"request_id": request_id, "method": request.method,
                                   "path": request.path, "status": response.status_code,
                                   "duration_ms": round((time.monotonic() - started) * 1000, 1),
                                   "user_id": user_id, "remote_addr": request.remote_addr})
        return response
