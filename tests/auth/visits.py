"""A login's last visit (last_seen_at), as the tests of server sessions see it."""

from __future__ import annotations

from datetime import timedelta

from lms.auth.models import LoginSession
from lms.db import utcnow
from tests.conftest import login


def assert_a_visit_is_noted(client, db, email: str) -> None:
    """Log in as `email` (made by the test), set the login's last visit five minutes back,
    open a page: the visit is noted."""
    assert login(client, email).status_code == 302
    row = db.session.query(LoginSession).one()
    long_ago = utcnow() - timedelta(minutes=5)
    row.last_seen_at = long_ago
    db.session.commit()
    assert client.get("/account").status_code == 200
    db.session.expire_all()
    assert db.session.query(LoginSession).one().last_seen_at > long_ago
