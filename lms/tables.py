"""Uploaded tables as rows of text: CSV/TSV as Excel and Teams write them, and .xlsx.

Encodings, in the order they are told apart: UTF-8 with BOM, UTF-16 with BOM (Excel's
「Unicode テキスト」, Teams reports), UTF-16LE without BOM, strict UTF-8, then CP932
(Shift_JIS, which is almost never valid UTF-8). Tab-separated text is recognised by its
first line. A .xlsx book is read from its first sheet with openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

XLSX_MAGIC = b"PK\x03\x04"
_UNKNOWN_ENCODING = ("ファイルの文字コードを判別できません（UTF-8・UTF-16・Shift_JIS のどれでも"
                     "ありません）。Excelで「CSV UTF-8」として保存し直してください。")


class TableError(ValueError):
    """The upload is not a table we can read; the message is Japanese and says what to do."""

    @property
    def message(self) -> str:
        return str(self.args[0])


def decode_text(data: bytes) -> str:
    """The text of a CSV/TSV upload; raises TableError when no encoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TableError(_UNKNOWN_ENCODING) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4:
        # UTF-16LE without BOM: every other byte of ASCII text is zero.
        try:
            return data.decode("utf-16-le")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(_UNKNOWN_ENCODING)


def delimiter_of(text: str) -> str:
    """Tab for Excel's Unicode text and Teams reports (whose first line may be a section
    title such as 「1. 概要」 with no separator at all), else comma."""
    first = next((ln for ln in text.splitlines() if ln.strip(" \t,\u3000")), "")
    if "\t" in first:
        return "\t" if first.count("\t") >= first.count(",") else ","
    return "\t" if "," not in first and "\t" in text[:4000] else ","


def read_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """(line or sheet row where the record starts, its cells as text) for every record.
    A quoted CSV cell may span lines, so the number is that of the record's first line.
    Raises TableError for an unreadable file."""
    if data.startswith(XLSX_MAGIC):
        return _xlsx_rows(data)
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    rows, previous_end = [], 0
    try:
        for record in reader:
            rows.append((previous_end + 1, record))
            previous_end = reader.line_num
    except csv.Error as exc:
        raise TableError(f"{previous_end + 1}行目: CSVとして読み取れません（{exc}）。") from exc
    return rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y/%m/%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y/%m/%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a broken zip or not a workbook: openpyxl raises many kinds
        raise TableError("Excelブック(.xlsx)として読み取れません。Excelで開けるか確かめるか、"
                         "「CSV UTF-8」として保存し直してください。") from exc
    try:
        sheet = book.worksheets[0]
        return [(number, [_cell_text(v) for v in values]) for number, values in
                enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
