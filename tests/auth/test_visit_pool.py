"""Noting a visit (a login's last_seen_at, once a minute) takes no second pooled connection:
with 100 threads and a pool of 15, requests that each held one connection and waited for a
second stalled the whole process for the pool's timeout, every minute, under load."""

from __future__ import annotations

import pytest

from tests.auth.visits import assert_a_visit_is_noted


@pytest.fixture
def app_config(app_config):
    # One connection in the pool, and a short wait for it: a request that needed two would
    # give up on the second and leave the visit unnoted.
    return {**app_config,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_timeout": 2}}


def test_a_visit_is_noted_on_the_requests_own_connection(app, client, db, make_user):
    make_user("visit@example.jp")
    assert_a_visit_is_noted(client, db, "visit@example.jp")
