"""Login throttling that suits a municipality behind one gateway (issue 14): only failures
count, per account and per client address, and the address comes from X-Forwarded-For
only through the configured number of trusted proxies."""

from __future__ import annotations

import pytest

from lms.app import create_app
from lms.extensions import db as _db
from lms.extensions import limiter
from tests.conftest import PASSWORD, isolate_requests


@pytest.fixture
def throttled(app_config):
    """The demo with the production limits (and one trusted proxy when asked)."""

    def build(**overrides):
        config = {**app_config, "LOGIN_RATE_LIMIT": "10 per minute",
                  "LOGIN_IP_RATE_LIMIT": "100 per minute", **overrides}
        app = isolate_requests(create_app(config))
        ctx = app.app_context()
        ctx.push()
        _db.create_all()
        from lms.demo import build_demo

        build_demo(PASSWORD)
        _db.session.commit()
        limiter.reset()
        built.append(ctx)
        return app

    built: list = []
    yield build
    for ctx in built:
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()
        ctx.pop()


def _login(client, email, password=PASSWORD, ip=None):
    headers = {"X-Forwarded-For": ip} if ip else {}
    return client.post("/login", data={"email": email, "password": password},
                       headers=headers).status_code


def test_a_hundred_and_ten_colleagues_behind_one_gateway_all_log_in(throttled):
    app = throttled()
    statuses = []
    for round_ in range(3):
        for n in range(1, 51):
            if round_ == 2 and n > 10:
                break
            statuses.append(_login(app.test_client(), f"p{n:02d}@example.jp"))
    assert len(statuses) == 110 and set(statuses) == {302}


def test_failures_lock_the_account_not_the_gateway(throttled):
    app = throttled()
    client = app.test_client()
    failures = [_login(client, "p01@example.jp", "wrong-password") for _ in range(11)]
    assert failures[:10] == [400] * 10 and failures[10] == 429
    assert _login(client, "p01@example.jp") == 429  # the account waits out the window
    assert _login(app.test_client(), "p02@example.jp") == 302  # a colleague does not


def test_failures_per_address_are_limited_across_accounts(throttled):
    app = throttled(LOGIN_IP_RATE_LIMIT="20 per minute")
    client = app.test_client()
    statuses = [_login(client, f"p{n:02d}@example.jp", "wrong-password") for n in range(1, 22)]
    assert statuses[:20] == [400] * 20 and statuses[20] == 429
    retry = client.post("/login", data={"email": "p30@example.jp", "password": PASSWORD})
    assert retry.status_code == 429 and retry.headers.get("Retry-After")


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(throttled):
    app = throttled(LOGIN_IP_RATE_LIMIT="5 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()
    attacker = [_login(client, f"p{n:02d}@example.jp", "bad-password", ip="203.0.113.7")
                for n in range(1, 7)]
    assert attacker[-1] == 429
    # Another person behind the same nginx is not punished for it.
    assert _login(client, "p20@example.jp", ip="198.51.100.20") == 302


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(throttled):
    app = throttled(LOGIN_IP_RATE_LIMIT="5 per minute")
    client = app.test_client()
    statuses = [_login(client, f"p{n:02d}@example.jp", "bad-password", ip=f"192.0.2.{n}")
                for n in range(1, 7)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
