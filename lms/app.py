"""Application factory: extensions, blueprints, errors, CLI and sockets."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request

from lms.config import ROOT, load_config
from lms.errors import register_error_handlers
from lms.extensions import csrf, db, limiter, login_manager, migrate, socketio

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides what the environment says (tests)."""
    app = Flask(__name__, static_folder=str(ROOT / "static"), static_url_path="/static")
    app.config.update(load_config(config))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(
            parents=True, exist_ok=True)

    import lms.models  # noqa: F401  (register every table with the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "ログインしてください。"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
    socketio.init_app(
        app,
        message_queue=app.config["REDIS_URL"],
        channel=app.config["SOCKETIO_CHANNEL"],
        async_mode="threading",
        # None: only this site's own pages may open a socket (Origin must match Host).
        cors_allowed_origins=None,
        manage_session=False,
    )
    from lms.channels.events import ChannelNamespace

    socketio.on_namespace(ChannelNamespace("/"))

    _register_blueprints(app)
    register_error_handlers(app)
    _register_template_helpers(app)

    from lms.cli import register_cli

    register_cli(app)

    from lms.notifications.views import register as register_notifications

    register_notifications(app)
    from lms.sessions.notify import connect_signals as connect_session_notifications

    connect_session_notifications()
    from lms.channels.notify import connect_signals as connect_channel_announcements

    connect_channel_announcements()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.before_request
    def remember_path():
        g.request_path = request.path

    return app


def _register_blueprints(app: Flask) -> None:
    # Each domain's api.py adds routes to api_bp on import.
    import lms.auth.api  # noqa: F401
    import lms.channels.api  # noqa: F401
    import lms.goals_web.api  # noqa: F401
    import lms.homework.api  # noqa: F401
    import lms.notifications.api  # noqa: F401
    from lms.api import api_bp
    from lms.auth.views import bp as auth_bp
    from lms.channels.views import bp as channels_bp
    from lms.cohorts.views import bp as cohorts_bp
    from lms.dashboard.views import bp as dashboard_bp
    from lms.goals_web.views import bp as goals_bp
    from lms.health import bp as health_bp
    from lms.homework.views import bp as homework_bp
    from lms.sessions.attendance_views import bp as attendance_bp
    from lms.sessions.views import bp as sessions_bp
    from lms.teams.views import bp as teams_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(channels_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(homework_bp)
    app.register_blueprint(teams_bp)
    app.register_blueprint(goals_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(api_bp)


def _register_template_helpers(app: Flask) -> None:
    from lms.timefmt import ja_date, ja_datetime, ja_time

    app.add_template_filter(ja_datetime, "ja_datetime")
    app.add_template_filter(ja_date, "ja_date")
    app.add_template_filter(ja_time, "ja_time")
