"""Configuration read from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when the environment cannot make a safe configuration."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config from environment variables, then apply overrides (tests)."""
    env = os.environ.get("LMS_ENV", "development")
    production = env == "production"
    instance = Path(os.environ.get("LMS_INSTANCE_PATH", ROOT / "instance"))
    secret = os.environ.get("SECRET_KEY")
    if production and not secret:
        raise ConfigError("LMS_ENV=production requires SECRET_KEY to be set")
    redis_url = os.environ.get("REDIS_URL") or None
    config = {
        "LMS_ENV": env,
        "PRODUCTION": production,
        "SECRET_KEY": secret or "dev-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance / 'lms.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance / "uploads")),
        "MAX_UPLOAD_MB": _int("MAX_UPLOAD_MB", 20),
        "MAX_UPLOAD_FILES": _int("MAX_UPLOAD_FILES", 5),
        "MAX_CONTENT_LENGTH": (_int("MAX_UPLOAD_MB", 20) * _int("MAX_UPLOAD_FILES", 5) + 5)
        * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        # Server-side sessions (Flask-Session): the cookie holds a random id only. In the
        # database by default, which the app cannot run without anyway (so Redis stopping
        # logs nobody out); LMS_SESSION_BACKEND=redis keeps them in REDIS_URL's Redis.
        "SESSION_BACKEND": os.environ.get("LMS_SESSION_BACKEND", "database"),
        "SESSION_REDIS_URL": os.environ.get("LMS_SESSION_REDIS_URL") or redis_url,
        "SESSION_KEY_PREFIX": "session:",
        "SESSION_REFRESH_EACH_REQUEST": False,  # a write per visit: once a minute at most
        "PERMANENT_SESSION_LIFETIME": timedelta(days=_int("LMS_SESSION_DAYS", 14)),
        # Deployments (or test runs) sharing one Redis keep their Socket.IO traffic and
        # presence apart by this name.
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL", "flask-socketio"),
        # Parts of pages kept across requests (lms.cache): shared through Redis when there is
        # one; without it off, since another process could write unheard (LMS_CACHE=memory
        # for a single process that alone writes, LMS_CACHE=off to turn it off).
        "CACHE_BACKEND": os.environ.get("LMS_CACHE") or ("redis" if redis_url else "off"),
        "CACHE_REDIS_URL": os.environ.get("LMS_CACHE_REDIS_URL") or redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Failed logins per account, and per client address: sized so that a hundred
        # people behind one LGWAN gateway can each mistype at the session start.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "LOGIN_IP_RATE_LIMIT": os.environ.get("LOGIN_IP_RATE_LIMIT", "100 per minute"),
        # Trainers and organizers must set up multi-factor login before anything else
        # (LMS_REQUIRE_MFA=1). Wrong second-step codes per account (login, enrol, disable).
        "REQUIRE_MFA": _flag("LMS_REQUIRE_MFA"),
        "MFA_RATE_LIMIT": os.environ.get("MFA_RATE_LIMIT", "5 per 5 minutes"),
        # How many reverse proxies in front of the app set X-Forwarded-For (nginx: 1). 0
        # trusts none: a client could otherwise pick its own address for the limits.
        "TRUSTED_PROXIES": _int("LMS_TRUSTED_PROXIES", 0),
        # JSON log lines with a request id (default in production): LMS_LOG_JSON=1 / 0.
        "LOG_JSON": _flag("LMS_LOG_JSON") if os.environ.get("LMS_LOG_JSON") else production,
        "DEMO_PASSWORD": os.environ.get("LMS_DEMO_PASSWORD", "demo-password"),
        # Mail is optional: without MAIL_SERVER, organizers hand out password links themselves.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),  # STARTTLS after connecting
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "no-reply@localhost"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        "PASSWORD_RESET_RATE_LIMIT": os.environ.get("PASSWORD_RESET_RATE_LIMIT",
                                                    "10 per 15 minutes"),
        "PASSWORD_RESET_EMAIL_RATE_LIMIT": os.environ.get("PASSWORD_RESET_EMAIL_RATE_LIMIT",
                                                          "3 per hour"),
        "INVITE_DAYS": 14,
        # Where people reach this site; used for links printed by the CLI.
        "PUBLIC_URL": os.environ.get("LMS_PUBLIC_URL", "http://127.0.0.1:5000"),
        "INSTANCE_DIR": str(instance),
    }
    if overrides:
        config.update(overrides)
    if config["CACHE_BACKEND"] not in ("off", "memory", "redis"):
        raise ConfigError("LMS_CACHE must be 'off', 'memory' or 'redis'")
    if config["CACHE_BACKEND"] == "redis" and not config["CACHE_REDIS_URL"]:
        raise ConfigError("LMS_CACHE=redis requires REDIS_URL")
    if config["SESSION_BACKEND"] not in ("database", "redis"):
        raise ConfigError("LMS_SESSION_BACKEND must be 'database' or 'redis'")
    if config["SESSION_BACKEND"] == "redis" and not config["SESSION_REDIS_URL"]:
        raise ConfigError("LMS_SESSION_BACKEND=redis requires REDIS_URL")
    return config
