"""The demo's main pages and API on PostgreSQL, the production database."""

from __future__ import annotations

import pytest

from lms.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_config():
    return {"WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "1000 per minute"}


def test_demo_pages_on_postgresql(pg_app):
    from lms.demo import build_demo

    build_demo(PASSWORD)
    db.session.commit()
    client = pg_app.test_client()
    assert client.post("/login", data={"email": "p01@example.jp",
                                       "password": PASSWORD}).status_code == 302
    page = client.get("/c/tokyo-dx-2021/").get_data(as_text=True)
    assert "第5回" in page and "チーム5" in page
    channels = client.get("/api/v1/cohorts/tokyo-dx-2021/channels").get_json()
    assert [c["kind"] for c in channels].count("team") == 1
    assert client.get("/c/tokyo-dx-2021/calendar.ics").status_code == 200
    health = client.get("/healthz").get_json()
    assert health["database"] == "ok"
