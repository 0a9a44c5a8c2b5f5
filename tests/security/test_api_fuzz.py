"""schemathesis against /api/v1/openapi.json on PostgreSQL (issue 14): generated requests,
a bounded number per operation, never a 500, and responses that match the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from lms.app import create_app
from lms.extensions import db as _db
from tests.conftest import PASSWORD, isolate_requests

pytestmark = pytest.mark.postgres
EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzz_app(postgres_url, tmp_path_factory):
    app = isolate_requests(create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url, "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("fuzz-uploads")), "SERVER_NAME": None}))
    with app.app_context():
        _db.create_all()
        from lms.auth.services import create_api_token, get_user_by_email
        from lms.demo import build_demo

        build_demo(PASSWORD)
        app.fuzz_token = create_api_token(get_user_by_email("p01@example.jp"))
        _db.session.commit()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def test_generated_requests_never_get_a_500(fuzz_app):
    """Every documented operation, EXAMPLES generated requests each (p01's token)."""
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    headers = {"Authorization": f"Bearer {fuzz_app.fuzz_token}"}
    seen = []
    for result in api.get_all_operations():
        operation = result.ok()
        seen.append(f"{operation.method.upper()} {operation.path}")

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error,
                                                     response_schema_conformance])

        run()
    assert len(seen) >= 20, seen
