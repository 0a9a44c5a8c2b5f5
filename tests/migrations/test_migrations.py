"""Migrations: one head, and upgrade on SQLite and PostgreSQL matches the models exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from lms.app import create_app
from lms.config import ROOT
from lms.extensions import db


def test_one_head_and_every_revision_has_a_message():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1
    for rev in script.walk_revisions():
        assert rev.doc and rev.doc.strip(), f"revision {rev.revision} has no message"


def _upgrade_and_compare(url: str):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, db.metadata)
        assert diffs == [], f"models and migrations differ: {diffs}"
        # The demo must build on a migrated database, not only on create_all().
        from lms.cohorts.models import Cohort, Membership
        from lms.demo import build_demo

        build_demo("pg-or-sqlite-demo")
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 53
        title = db.session.scalar(select(Cohort.title))
        assert title == "東京都区市町村向け自治体変革PJ-DX研修2021"
        db.session.remove()
        downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_upgrade_on_sqlite(tmp_path):
    _upgrade_and_compare(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")


@pytest.mark.postgres
def test_upgrade_on_postgresql(postgres_url):
    _upgrade_and_compare(postgres_url)
