"""Orphan upload files (issue 14): a file no submission points to is removed by the
periodic sweep; referenced files, fresh files and foreign names stay."""

from __future__ import annotations

import io
import os
import time
import uuid
from pathlib import Path

from tests.homework.helpers import PDF


def test_sweep_removes_only_old_unreferenced_uploads(app, client, demo, token_for):
    folder = Path(app.config["UPLOAD_FOLDER"])
    headers = token_for("p01@example.jp")
    listing = client.get("/api/v1/cohorts/tokyo-dx-2021/homework", headers=headers).get_json()
    hw = next(h for h in listing if h["kind"] == "individual" and not h["closed"])
    kept = client.post(f"/api/v1/homework/{hw['id']}/submissions", headers=headers,
                       data={"body": "", "client_submission_id": str(uuid.uuid4()),
                             "files": (io.BytesIO(PDF), "報告.pdf")},
                       content_type="multipart/form-data")
    assert kept.status_code == 201
    stored = {p.name for p in folder.iterdir()}
    assert len(stored) == 1
    orphan, fresh_orphan = folder / ("a" * 32), folder / ("b" * 32)
    other = folder / "README.txt"
    for path in (orphan, fresh_orphan, other):
        path.write_bytes(b"x")
    old = time.time() - 2 * 3600
    for path in [orphan, other, *(folder / n for n in stored)]:
        os.utime(path, (old, old))

    dry = app.test_cli_runner().invoke(args=["lms", "sweep-uploads", "--dry-run"])
    assert dry.exit_code == 0 and orphan.name in dry.output and orphan.exists()
    done = app.test_cli_runner().invoke(args=["lms", "sweep-uploads"])
    assert done.exit_code == 0, done.output
    assert not orphan.exists()
    assert fresh_orphan.exists() and other.exists()
    assert all((folder / n).exists() for n in stored)
    file_id = kept.get_json()["files"][0]["id"]
    assert client.get(f"/api/v1/files/{file_id}", headers=headers).data == PDF


def test_the_worker_sweeps_old_orphans_with_its_periodic_jobs(app, db, demo):
    """`lms worker` runs the sweep by itself (no cron needed); a fresh orphan stays."""
    from lms.periodic import run_periodic_jobs

    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    orphan, fresh = folder / ("c" * 32), folder / ("d" * 32)
    for path in (orphan, fresh):
        path.write_bytes(b"x")
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))
    report = run_periodic_jobs()
    db.session.commit()
    assert report.orphan_files == 1
    assert not orphan.exists() and fresh.exists()
