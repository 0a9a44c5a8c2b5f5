"""One TOTP code sent twice at the same moment on PostgreSQL (issue 14): exactly one of the
two logins gets in, the other is refused (the code's step is claimed by one conditional
UPDATE)."""

from __future__ import annotations

import threading
import time

import pyotp
import pytest

from lms.extensions import limiter
from tests.conftest import PASSWORD, isolate_requests

pytestmark = pytest.mark.postgres

EMAIL = "race@example.jp"


class Clock:
    def __init__(self):
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def pg_config():
    return {"WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "1000 per minute"}


def _send(client, code: str, barrier: threading.Barrier, statuses: list[int]) -> None:
    barrier.wait()
    statuses.append(client.post("/login/mfa", data={"code": code}).status_code)


def test_the_same_code_sent_twice_at_once_logs_in_once(pg_app, monkeypatch):
    from lms.auth import mfa
    from lms.auth.services import hash_password
    from lms.cohorts.services import ensure_user
    from lms.extensions import db

    isolate_requests(pg_app)
    limiter.reset()
    clock = Clock()
    monkeypatch.setattr("lms.auth.mfa.time", clock)
    user = ensure_user(EMAIL, "競争 太郎", hash_password(PASSWORD))
    cred = mfa.start_enrolment(user)
    totp = pyotp.TOTP(cred.secret)
    mfa.confirm_enrolment(user, totp.at(clock.now), now=clock.now)
    db.session.commit()
    db.session.remove()

    for _round in range(3):
        clock.now += 30
        clients = [pg_app.test_client() for _ in range(2)]
        for c in clients:
            assert c.post("/login", data={"email": EMAIL, "password": PASSWORD}).headers[
                "Location"] == "/login/mfa"
        code = totp.at(clock.now)
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        threads = [threading.Thread(target=_send, args=(c, code, barrier, statuses))
                   for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [302, 400]
        assert sorted(c.get("/account").status_code for c in clients) == [200, 302]
