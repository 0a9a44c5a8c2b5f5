"""Cohort archive: export → import → export gives the same bytes, on SQLite and PostgreSQL;
damaged or foreign archives stop with a clear message and change nothing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from lms.app import create_app
from lms.audit.services import record
from lms.channels.models import Channel, Message
from lms.channels.services import post_message
from lms.cohorts.archive import archive_cohort
from lms.cohorts.models import Cohort
from lms.cohorts.services import ensure_user
from lms.extensions import db
from lms.homework.models import Submission, SubmissionFile
from lms.homework.services import review_submission
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _enrich(cohort, upload_folder: str) -> None:
    """Messages with a reply, a submission with a file and feedback, an audit entry, and
    the cohort archived: the archive must carry all of it."""
    from lms.cohorts.models import Membership
    from lms.homework.models import Homework
    from lms.homework.services import submit_homework
    from lms.homework.storage import Upload

    author = ensure_user("p01@example.jp", "")
    channel = db.session.scalar(select(Channel).where(Channel.cohort_id == cohort.id,
                                                      Channel.kind == "team"))
    root, _ = post_message(author, channel, "チームで**電子申請**の件数を調べました")
    post_message(ensure_user("p02@example.jp", ""), channel, "ありがとうございます",
                 parent_id=root.id)
    hw = db.session.scalar(select(Homework).where(Homework.cohort_id == cohort.id,
                                                  Homework.kind == "individual"))
    membership = db.session.scalar(select(Membership).where(
        Membership.cohort_id == cohort.id, Membership.user_id == author.id))
    submission, _ = submit_homework(hw, membership, author, body="報告です",
                                    uploads=[Upload("報告書.pdf", io.BytesIO(PDF))],
                                    client_submission_id="a1", upload_folder=upload_folder,
                                    max_mb=20, max_files=5)
    review_submission(submission, ensure_user("trainer1@example.jp", ""), status="ok",
                      feedback="よくできています")
    record(author, "cohort.update", cohort, {"title": "a"}, {"title": "b"}, label="x")
    archive_cohort(cohort)
    db.session.commit()


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_archive_round_trip_gives_the_same_bytes_on_sqlite(app, demo, tmp_path):
    _enrich(demo, app.config["UPLOAD_FOLDER"])
    first = tmp_path / "first.zip"
    result = _cli(app, "lms", "cohort", "export", "tokyo-dx-2021", "--out", str(first))
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(first).namelist()
    assert "manifest.json" in names and "data/messages.json" in names
    assert any(n.startswith("files/submission_files/") for n in names)
    assert b"export" not in zipfile.ZipFile(first).read("manifest.json")
    users = json.loads(zipfile.ZipFile(first).read("users.json"))
    assert "password_hash" not in users[0] and len(users) == 53

    from lms.proposals.models import ProposalComment, ProposalVersion
    from lms.retros.models import RetroAction, RetroCard, RetroVote
    from lms.surveys.models import SurveyResponse

    kept = (RetroCard, RetroVote, RetroAction, SurveyResponse, ProposalVersion, ProposalComment)

    def counts():
        return [db.session.scalar(select(func.count()).select_from(m)) for m in kept]

    before = counts()
    assert all(before), before  # the demo has retros, survey answers and proposal history

    other = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}",
                        "UPLOAD_FOLDER": str(tmp_path / "other-uploads")})
    with other.app_context():
        db.create_all()
        result = _cli(other, "lms", "cohort", "import", str(first))
        assert result.exit_code == 0, result.output
        assert "取り込みました" in result.output
        cohort = db.session.scalar(select(Cohort).where(Cohort.slug == "tokyo-dx-2021"))
        assert cohort.archived
        stored = db.session.scalar(select(SubmissionFile))
        assert (Path(other.config["UPLOAD_FOLDER"]) / stored.stored_name).read_bytes() == PDF
        reply = db.session.scalar(select(Message).where(Message.parent_id.isnot(None)))
        assert reply.parent.body.startswith("チームで")
        sub = db.session.scalar(select(Submission).where(
            Submission.client_submission_id == "a1"))
        assert sub.feedback_md == "よくできています" and sub.owner_key.startswith("u:")
        assert counts() == before  # retros, surveys and proposals travel with the cohort
        second = tmp_path / "second.zip"
        result = _cli(other, "lms", "cohort", "export", "tokyo-dx-2021", "--out", str(second))
        assert result.exit_code == 0, result.output
        # Importing again into an instance that has the slug is refused.
        again = _cli(other, "lms", "cohort", "import", str(first))
        assert again.exit_code != 0 and "すでにあります" in again.output
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    assert first.read_bytes() == second.read_bytes()


def _counts() -> dict:
    return {name: db.session.scalar(select(func.count()).select_from(table))
            for name, table in db.metadata.tables.items()}


def _damaged_variants(good: bytes) -> dict[str, tuple[bytes, str]]:
    def rewrite(change) -> bytes:
        source = zipfile.ZipFile(io.BytesIO(good))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                data = change(info.filename, source.read(info.filename))
                if data is not None:
                    target.writestr(info, data)
        return out.getvalue()

    def tamper(name, data):
        return data.replace("報告です".encode(), "改ざん".encode()) \
            if name == "data/submissions.json" else data

    def drop_users(name, data):
        return None if name == "users.json" else data

    def foreign_manifest(name, data):
        return json.dumps({"format": "something-else"}).encode() \
            if name == "manifest.json" else data

    foreign = io.BytesIO()
    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("readme.txt", "hello")
    return {
        "not a zip": (b"this is not a zip file", "ZIP ファイルとして読めません"),
        "truncated": (good[: len(good) // 2], "ZIP ファイルとして読めません"),
        "tampered": (rewrite(tamper), "内容が一致しません"),
        "missing member": (rewrite(drop_users), "users.json"),
        "foreign zip": (foreign.getvalue(), "manifest.json がありません"),
        "foreign manifest": (rewrite(foreign_manifest),
                             "このシステムの研修アーカイブではありません"),
    }


def test_damaged_or_foreign_archive_stops_with_a_message_and_changes_nothing(
        app, demo, tmp_path):
    _enrich(demo, app.config["UPLOAD_FOLDER"])
    good = tmp_path / "good.zip"
    assert _cli(app, "lms", "cohort", "export", "tokyo-dx-2021",
                "--out", str(good)).exit_code == 0
    # Free the slug so that only the damage can stop the import.
    db.session.execute(delete(Cohort).where(Cohort.id == demo.id))
    db.session.commit()
    before = _counts()
    uploads = sorted(Path(app.config["UPLOAD_FOLDER"]).iterdir())
    for label, (data, message) in _damaged_variants(good.read_bytes()).items():
        path = tmp_path / f"{label}.zip"
        path.write_bytes(data)
        result = _cli(app, "lms", "cohort", "import", str(path))
        assert result.exit_code != 0, label
        assert message in result.output, (label, result.output)
        assert "何も変更していません" in result.output
        db.session.rollback()
        assert _counts() == before, label
        assert sorted(Path(app.config["UPLOAD_FOLDER"]).iterdir()) == uploads, label
    # The undamaged archive still loads.
    assert _cli(app, "lms", "cohort", "import", str(good)).exit_code == 0


def test_archive_export_of_an_unknown_slug_fails_clearly(app, tmp_path):
    result = _cli(app, "lms", "cohort", "export", "nope", "--out", str(tmp_path / "x.zip"))
    assert result.exit_code != 0 and "nope" in result.output


@pytest.mark.postgres
def test_archive_round_trip_gives_the_same_bytes_on_postgresql(postgres_url, tmp_path):
    from lms.demo import build_demo

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        db.create_all()
        try:
            cohort = build_demo(PASSWORD).cohort
            db.session.commit()
            _enrich(cohort, app.config["UPLOAD_FOLDER"])
            first, second = tmp_path / "first.zip", tmp_path / "second.zip"
            assert _cli(app, "lms", "cohort", "export", "tokyo-dx-2021",
                        "--out", str(first)).exit_code == 0
            db.session.execute(delete(Cohort).where(Cohort.slug == "tokyo-dx-2021"))
            db.session.commit()
            result = _cli(app, "lms", "cohort", "import", str(first))
            assert result.exit_code == 0, result.output
            result = _cli(app, "lms", "cohort", "export", "tokyo-dx-2021", "--out", str(second))
            assert result.exit_code == 0, result.output
            assert first.read_bytes() == second.read_bytes()
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
