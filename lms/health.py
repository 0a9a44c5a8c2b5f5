"""GET /healthz: the database must answer; Redis is reported, not required."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from lms.extensions import db

bp = Blueprint("health", __name__)


def redis_status(url: str | None) -> str:
    if not url:
        return "off"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
        return "ok"
    except Exception:  # any failure means "down" to an operator
        return "down"


@bp.get("/healthz")
def healthz():
    redis_state = redis_status(current_app.config["REDIS_URL"])
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="error", database="down", redis=redis_state), 503
    return jsonify(status="ok", database="ok", redis=redis_state)
