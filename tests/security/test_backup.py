"""`lms backup` / `lms restore` (issue 14): database and uploads together, on SQLite and
PostgreSQL; a restore refuses to overwrite a database with accounts unless forced."""

from __future__ import annotations

import io
import uuid

import pytest

from lms.app import create_app
from lms.extensions import db as _db
from tests.conftest import PASSWORD, isolate_requests, login
from tests.homework.helpers import PDF


def _app(url, uploads):
    return isolate_requests(create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
        "LOGIN_RATE_LIMIT": "1000 per minute", "UPLOAD_FOLDER": str(uploads)}))


def _round_trip(source_url, target_url, tmp_path, make_target_db=lambda: None):
    from lms.auth.services import create_api_token, get_user_by_email
    from lms.demo import build_demo

    source = _app(source_url, tmp_path / "up-a")
    with source.app_context():
        _db.create_all()
        build_demo(PASSWORD)
        token = create_api_token(get_user_by_email("p01@example.jp"))
        _db.session.commit()
        client, headers = source.test_client(), {"Authorization": f"Bearer {token}"}
        listing = client.get("/api/v1/cohorts/tokyo-dx-2021/homework", headers=headers)
        hw = next(h for h in listing.get_json() if h["kind"] == "individual" and not h["closed"])
        sent = client.post(f"/api/v1/homework/{hw['id']}/submissions", headers=headers,
                           data={"body": "控え", "client_submission_id": str(uuid.uuid4()),
                                 "files": (io.BytesIO(PDF), "控え.pdf")},
                           content_type="multipart/form-data").get_json()
        _db.session.remove()  # the test's own transaction must not hold SQLite's write lock
        out = source.test_cli_runner().invoke(
            args=["lms", "backup", "--out", str(tmp_path / "b.tar.gz")])
        assert out.exit_code == 0, out.output
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()

    make_target_db()
    target = _app(target_url, tmp_path / "up-b")
    with target.app_context():
        runner = target.test_cli_runner()
        done = runner.invoke(args=["lms", "restore", str(tmp_path / "b.tar.gz")])
        assert done.exit_code == 0, done.output
        again = runner.invoke(args=["lms", "restore", str(tmp_path / "b.tar.gz")])
        assert again.exit_code != 0 and "--force" in again.output
        client = target.test_client()
        assert login(client, "p01@example.jp").status_code == 302
        restored = client.get(f"/api/v1/submissions/{sent['id']}").get_json()
        assert restored["body"] == "控え"
        assert client.get(f"/api/v1/files/{sent['files'][0]['id']}").data == PDF
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def test_backup_and_restore_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}",
                tmp_path)


@pytest.mark.postgres
def test_backup_and_restore_on_postgres(tmp_path, postgres_url):
    import psycopg

    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    base, _, name = postgres_url.rpartition("/")
    own = [f"{name}_bk_a", f"{name}_bk_b"]
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{own[0]}"')
        conn.execute(f'CREATE DATABASE "{own[1]}"')
    try:
        _round_trip(f"{base}/{own[0]}", f"{base}/{own[1]}", tmp_path)
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            for db_name in own:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
