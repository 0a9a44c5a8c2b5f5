"""`lms backup` / `lms restore`: the database and the uploads in one archive, consistent.

The database is copied first (SQLite's online backup API, or pg_dump's snapshot), then the
upload folder: a file is written before its row is committed, so every row of the copy finds
its file. A manifest names the database kind and the migration revision."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

FORMAT = 1


class BackupError(RuntimeError):
    """The backup or restore cannot be done safely; the message says why (Japanese)."""


def _pg_dsn(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _revision(engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def create_backup(engine, upload_folder: str, out: str) -> dict:
    """Write the archive `out`; returns its manifest."""
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    with tempfile.TemporaryDirectory() as tmp:
        if url.get_backend_name() == "sqlite":
            kind, dump = "sqlite", Path(tmp) / "database.sqlite3"
            source = sqlite3.connect(url.database)
            target = sqlite3.connect(dump)
            with target:
                source.backup(target)
            source.close()
            target.close()
        elif url.get_backend_name() == "postgresql":
            kind, dump = "postgresql", Path(tmp) / "database.pgdump"
            result = subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump),
                                     _pg_dsn(url)], capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_dump が失敗しました: {result.stderr.strip()}")
        else:
            raise BackupError(f"このデータベースには対応していません: {url.get_backend_name()}")
        folder = Path(upload_folder)
        files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        manifest = {"format": FORMAT, "database": kind, "revision": _revision(engine),
                    "created_at": datetime.now(UTC).isoformat(), "uploads": len(files)}
        with tarfile.open(out, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            for path in files:
                archive.add(path, arcname=f"uploads/{path.name}")
    return manifest


def _has_users(engine) -> bool:
    with engine.connect() as conn:
        if not inspect(conn).has_table("users"):
            return False
        return bool(conn.execute(text("SELECT count(*) FROM users")).scalar())


def restore_backup(engine, upload_folder: str, archive_path: str, *,
                   force: bool = False) -> dict:
    """Load an archive into this instance's database and upload folder; returns the
    manifest. Refuses a database that already has accounts unless `force` (it would be
    replaced). Stop the app while restoring."""
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    with tarfile.open(archive_path, "r:gz") as archive, tempfile.TemporaryDirectory() as tmp:
        archive.extractall(tmp, filter="data")
        manifest = json.loads((Path(tmp) / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError("このバックアップの形式には対応していません。")
        if manifest["database"] != url.get_backend_name():
            raise BackupError(f"バックアップは {manifest['database']} のものです。"
                              f"復元先は {url.get_backend_name()} です。")
        if _has_users(engine) and not force:
            raise BackupError("復元先のデータベースにはすでにデータがあります"
                              "（置き換えるには --force を付けてください）。")
        engine.dispose()
        if manifest["database"] == "sqlite":
            shutil.copyfile(Path(tmp) / "database.sqlite3", url.database)
            for suffix in ("-wal", "-shm"):
                Path(url.database + suffix).unlink(missing_ok=True)
        else:
            result = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                                     "-d", _pg_dsn(url), str(Path(tmp) / "database.pgdump")],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_restore が失敗しました: {result.stderr.strip()}")
        target = Path(upload_folder)
        target.mkdir(parents=True, exist_ok=True)
        uploads = Path(tmp) / "uploads"
        if uploads.is_dir():
            for path in uploads.iterdir():
                shutil.copyfile(path, target / path.name)
    return manifest
