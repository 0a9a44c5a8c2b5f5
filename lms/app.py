"""Application factory: extensions, blueprints, errors, CLI and sockets."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from lms.config import ROOT, load_config
from lms.errors import register_error_handlers
from lms.extensions import csrf, db, limiter, login_manager, migrate, socketio

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides what the environment says (tests)."""
    app = Flask(__name__, static_folder=str(ROOT / "static"), static_url_path="/static")
    app.config.update(load_config(config))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(
            parents=True, exist_ok=True)
    from lms.edge import install_edge_guards

    install_edge_guards(app)  # before any blueprint: the bounded `int` converter
    from lms.logs import install_request_logging

    install_request_logging(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies)

    import lms.models  # noqa: F401  (register every table with the metadata)
    from lms.cohorts.archive import install_archive_guard

    install_archive_guard()

    db.init_app(app)
    from lms import cache

    with app.app_context():
        cache.install(app, db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "ログインしてください。"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
    from lms.auth.logins import init_server_sessions
    from lms.sockets import client_manager

    init_server_sessions(app)
    socketio.init_app(
        app,
        # The message queue (Redis, when the app has one), under which closing a login's
        # room disconnects its sockets on every process (logout).
        client_manager=client_manager(app.config["REDIS_URL"], app.config["SOCKETIO_CHANNEL"]),
        async_mode="threading",
        # None: only this site's own pages may open a socket (Origin must match Host).
        cors_allowed_origins=None,
        manage_session=False,
    )
    from lms.channels.events import ChannelNamespace

    socketio.on_namespace(ChannelNamespace("/"))
    from lms.retros.events import RetroNamespace

    socketio.on_namespace(RetroNamespace("/retros"))
    from lms.proposals.events import ProposalNamespace

    socketio.on_namespace(ProposalNamespace("/proposals"))

    _connect_signals()
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
    # Features tell people through notifications (a lower layer) when their signals fire.
    from lms.proposals.notify import connect_signals as connect_proposal_notifications
    from lms.retros.notify import connect_signals as connect_retro_notifications
    from lms.surveys.notify import connect_signals as connect_survey_notifications

    connect_retro_notifications()
    connect_survey_notifications()
    connect_proposal_notifications()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
    return app


def _connect_signals() -> None:
    # Higher domains react to what lower ones announce (lms/<domain>/signals.py). Each
    # connect_signals() is idempotent, so building several apps (tests) connects once.
    from lms.channels.handlers import connect_signals as connect_channels
    from lms.cohorts.handlers import connect_signals as connect_cohorts
    from lms.proposals.handlers import connect_signals as connect_proposals

    connect_cohorts()
    connect_channels()
    from lms.retros.handlers import connect_signals as connect_retros
    from lms.surveys.handlers import connect_signals as connect_surveys

    connect_retros()
    connect_surveys()
    connect_proposals()


def _register_blueprints(app: Flask) -> None:
    # Each domain's api.py adds routes to api_bp on import.
    import lms.channels.api  # noqa: F401
    import lms.cohorts.api  # noqa: F401
    import lms.exports.api  # noqa: F401
    import lms.goals_web.api  # noqa: F401
    import lms.homework.api  # noqa: F401
    import lms.notifications.api  # noqa: F401
    import lms.proposals.api  # noqa: F401
    import lms.retros.api  # noqa: F401
    import lms.surveys.api  # noqa: F401
    from lms.api import api_bp
    from lms.auth.views import bp as auth_bp
    from lms.channels.views import bp as channels_bp
    from lms.cohorts.views import bp as cohorts_bp
    from lms.dashboard.views import bp as dashboard_bp
    from lms.goals_web.views import bp as goals_bp
    from lms.health import bp as health_bp
    from lms.homework.views import bp as homework_bp
    from lms.proposals.views import bp as proposals_bp
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
    from lms.auth.account import bp as account_bp

    app.register_blueprint(account_bp)
    from lms.auth.mfa_views import bp as mfa_bp

    app.register_blueprint(mfa_bp)
    from lms.retros.views import bp as retros_bp
    from lms.surveys.views import bp as surveys_bp

    app.register_blueprint(retros_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(proposals_bp)
    from lms.console.views import bp as console_bp

    app.register_blueprint(console_bp)
    from lms.exports.views import bp as exports_bp

    app.register_blueprint(exports_bp)
    from lms.console.audit_views import bp as audit_bp

    app.register_blueprint(audit_bp)
    from lms.cases.views import bp as cases_bp

    app.register_blueprint(cases_bp)


def _register_template_helpers(app: Flask) -> None:
    from lms.timefmt import ja_date, ja_datetime, ja_time

    app.add_template_filter(ja_datetime, "ja_datetime")
    app.add_template_filter(ja_date, "ja_date")
    app.add_template_filter(ja_time, "ja_time")
