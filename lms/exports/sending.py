"""Turning a (headers, rows) table into a download: CSV streamed, XLSX via a temp file."""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from flask import Response, send_file, stream_with_context

from lms.errors import NotFound
from lms.spreadsheets import XLSX_MIMETYPE, Sheet, iter_csv, write_xlsx_to

FORMATS = ("csv", "xlsx")


def disposition(ascii_name: str, title: str) -> str:
    """RFC 6266: an ASCII fallback and the Japanese name for Excel and browsers."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(title)}"


def send_table(headers, rows, *, fmt: str, ascii_stem: str, title: str,
               sheet_title: str) -> Response:
    if fmt not in FORMATS:
        raise NotFound("その形式では出力できません（csv または xlsx）。")
    if fmt == "csv":
        response = Response(stream_with_context(iter_csv(headers, rows)),
                            mimetype="text/csv")
        response.headers["Content-Disposition"] = disposition(f"{ascii_stem}.csv",
                                                              f"{title}.csv")
        return response
    # XLSX is a zip: it is written whole (openpyxl write-only, flat memory) to a temp file.
    spool = tempfile.TemporaryFile()
    write_xlsx_to(spool, [Sheet(sheet_title, headers, rows)])
    spool.seek(0)
    response = send_file(spool, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"{ascii_stem}.xlsx")
    response.headers["Content-Disposition"] = disposition(f"{ascii_stem}.xlsx",
                                                          f"{title}.xlsx")
    return response
