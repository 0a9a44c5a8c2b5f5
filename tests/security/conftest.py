"""Fixtures for the security tests: the demo on SQLite and on PostgreSQL, built once per
module (refused input stores nothing, so the tests can share it)."""

from __future__ import annotations

import pytest

from lms.app import create_app
from lms.extensions import db as _db
from tests.conftest import PASSWORD, isolate_requests


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend_app(request, tmp_path_factory):
    """The demo cohort on each database the product supports."""
    tmp = tmp_path_factory.mktemp(f"edge-{request.param}")
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp / 'edge.sqlite3'}"
    app = isolate_requests(create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
        "LOGIN_RATE_LIMIT": "1000 per minute", "UPLOAD_FOLDER": str(tmp / "uploads"),
        "SERVER_NAME": None}))
    with app.app_context():
        _db.create_all()
        from lms.demo import build_demo

        build_demo(PASSWORD)
        _db.session.commit()
        app.backend = request.param
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def bearer(backend_app):
    from lms.auth.services import create_api_token, get_user_by_email

    def make(email: str = "p01@example.jp") -> dict:
        token = create_api_token(get_user_by_email(email))
        _db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def web(backend_app):
    """A browser-like client logged in as `email`."""

    def make(email: str = "p01@example.jp"):
        client = backend_app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, f"login failed for {email}"
        return client

    return make
