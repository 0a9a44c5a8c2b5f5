"""Which attachments we accept: extension and content signature must agree; safe names."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class FileType:
    extensions: tuple[str, ...]
    content_type: str
    signature: str  # pdf | png | jpeg | ole2 | ooxml
    ooxml_part: str = ""  # the folder an OOXML package of this type must hold


FILE_TYPES = (
    FileType(("pdf",), "application/pdf", "pdf"),
    FileType(("png",), "image/png", "png"),
    FileType(("jpg", "jpeg"), "image/jpeg", "jpeg"),
    FileType(("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "ooxml", "word/"),
    FileType(("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "ooxml", "xl/"),
    FileType(("pptx",),
             "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             "ooxml", "ppt/"),
    FileType(("doc",), "application/msword", "ole2"),
    FileType(("xls",), "application/vnd.ms-excel", "ole2"),
    FileType(("ppt",), "application/vnd.ms-powerpoint", "ole2"),
)
BY_EXTENSION = {ext: ft for ft in FILE_TYPES for ext in ft.extensions}
ALLOWED_LABEL = "PDF、Word、Excel、PowerPoint、PNG、JPEG"


def extension_of(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def _is_ooxml(stream: BinaryIO, part: str) -> bool:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(part) for n in names)


def detect_type(name: str, stream: BinaryIO) -> FileType | None:
    """The file's type when its extension is allowed and its content matches; else None.

    Reads from the stream's start and leaves it at position 0.
    """
    ft = BY_EXTENSION.get(extension_of(name))
    if ft is None:
        return None
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if ft.signature == "pdf":
        ok = head.startswith(b"%PDF-")
    elif ft.signature == "png":
        ok = head.startswith(PNG_MAGIC)
    elif ft.signature == "jpeg":
        ok = head.startswith(JPEG_MAGIC)
    elif ft.signature == "ole2":
        ok = head.startswith(OLE2_MAGIC)
    else:
        ok = head.startswith(ZIP_MAGIC) and _is_ooxml(stream, ft.ooxml_part)
        stream.seek(0)
    return ft if ok else None


# Control and reserved characters, and the invisible ones that make a name read other than it
# is: bidi controls (`invoice\u202efdp.exe.pdf` shows as "invoicefdp.exe.pdf" reversed),
# zero-width characters and the BOM.
_UNSAFE = re.compile(
    '[\x00-\x1f\x7f<>:"|?*\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]')


def safe_display_name(raw: str, fallback_ext: str = "") -> str:
    """The last path segment of an uploaded name, without control or reserved characters.

    `../../etc/passwd.pdf` → `passwd.pdf`, `C:\\x\\y.pdf` → `y.pdf`; never empty.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".").strip()
    if len(name) > 200:
        ext = extension_of(name)
        name = name[: 200 - len(ext) - 1] + "." + ext if ext else name[:200]
    ext = fallback_ext.lower()
    if not name or name.startswith(".") or (ext and name.lower() in (ext, f".{ext}")):
        return f"添付ファイル.{ext}" if ext else "添付ファイル"
    if ext and extension_of(name) != ext:
        name = f"{name}.{ext}"  # keep the checked extension visible on the saved file
    return name


def ascii_fallback(name: str) -> str:
    """An ASCII-only file name for old clients (RFC 6266 `filename=`)."""
    ext = extension_of(name)
    stem = name[: -(len(ext) + 1)] if ext else name
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._") or "file"
    return f"{ascii_stem}.{ext}" if ext else ascii_stem
