"""Checking uploads against the limits and types, and keeping them on disk outside static/."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lms.errors import DomainError, TooLarge, UnsupportedType
from lms.homework.filetypes import (
    ALLOWED_LABEL,
    FileType,
    detect_type,
    extension_of,
    safe_display_name,
)


class EmptyFile(DomainError):
    status = 422
    code = "empty_file"


@dataclass
class Upload:
    """A file as it arrived: the name the browser sent and a readable, seekable stream."""

    filename: str
    stream: BinaryIO


@dataclass
class CheckedUpload:
    upload: Upload
    file_type: FileType
    size: int
    display_name: str


def _size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check_uploads(uploads: list[Upload], *, max_mb: int, max_files: int) -> list[CheckedUpload]:
    """Every upload's type and size; raises TooLarge (413) or UnsupportedType (415) first."""
    uploads = [u for u in uploads if u.filename]
    if len(uploads) > max_files:
        raise TooLarge(f"添付できるファイルは{max_files}個までです。")
    checked = []
    for upload in uploads:
        shown = safe_display_name(upload.filename)
        size = _size(upload.stream)
        if size > max_mb * 1024 * 1024:
            raise TooLarge(f"「{shown}」は大きすぎます。1ファイル{max_mb}MBまでです。")
        if size == 0:  # before the type: an empty file has no signature to check
            raise EmptyFile(f"「{shown}」は空のファイル（0バイト）です。"
                            "中身のあるファイルを選び直してください。")
        file_type = detect_type(upload.filename, upload.stream)
        if file_type is None:
            raise UnsupportedType(
                f"「{shown}」は受け付けられない形式です（拡張子と中身が一致する{ALLOWED_LABEL}のみ）。")
        display = safe_display_name(upload.filename, extension_of(upload.filename))
        checked.append(CheckedUpload(upload, file_type, size, display))
    return checked


def store(folder: str, checked: CheckedUpload) -> str:
    """Write the upload under a new random name in `folder`; returns that name."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    checked.upload.stream.seek(0)
    with open(Path(folder) / name, "xb") as out:
        shutil.copyfileobj(checked.upload.stream, out)
    return name


def remove_stored(folder: str, names: list[str]) -> None:
    """Delete stored files (after a failed transaction), ignoring those already gone."""
    for name in names:
        try:
            (Path(folder) / name).unlink()
        except FileNotFoundError:
            pass


def stored_path(folder: str, name: str) -> Path:
    return Path(folder) / name


STORED_NAME = re.compile(r"^[0-9a-f]{32}$")  # what store() writes


def sweep_orphans(folder: str, referenced: set[str], *, older_than_s: float = 3600.0,
                  dry_run: bool = False, now: float | None = None) -> list[str]:
    """Remove stored files that no row points to (a server killed between writing a file
    and committing its submission leaves one). Only names store() writes, and only files
    older than `older_than_s`: an upload being committed right now is not an orphan yet.
    Returns the names removed (or that would be, with dry_run)."""
    base = Path(folder)
    if not base.is_dir():
        return []
    now = time.time() if now is None else now
    removed = []
    for path in sorted(base.iterdir()):
        if (not path.is_file() or not STORED_NAME.match(path.name)
                or path.name in referenced or now - path.stat().st_mtime < older_than_s):
            continue
        if not dry_run:
            path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed
