"""Shared CSV and XLSX writers that open correctly in Japanese Excel."""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value) -> str:
    """Text that Excel would run as a formula gets a leading apostrophe (CSV injection)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with BOM and CRLF, as Excel on a Japanese PC expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([guard_cell(v) for v in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def iter_csv(headers: Sequence[str], rows: Iterable[Sequence],
             chunk_rows: int = 500) -> Iterator[bytes]:
    """write_csv as a stream of byte chunks (BOM first), for exports too big to hold."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for row in rows:
        writer.writerow([guard_cell(v) for v in row])
        count += 1
        if count % chunk_rows == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


@dataclass
class Sheet:
    """One worksheet of an XLSX export: Japanese headers and rows (any iterable)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[float] | None = None  # in Excel characters; measured when None


def display_width(value) -> int:
    """Roughly how many Excel characters a value takes (full-width letters count two)."""
    if value is None:
        return 0
    text = str(value).split("\n", 1)[0]
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def _xlsx_value(ws, value):
    """A plain value where openpyxl keeps its type; a text cell forced to text where openpyxl
    would read a formula (a leading "=")."""
    if isinstance(value, str):
        if _ILLEGAL_XML.search(value):
            value = _ILLEGAL_XML.sub("", value)
        if value.startswith("="):
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # text is text: never a formula
            return cell
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: callers pass local time
    return value


def write_xlsx_to(target, sheets: Sequence[Sheet], *, measure_rows: int = 200) -> None:
    """Write an XLSX workbook (openpyxl write-only, so memory stays flat) to a path or file:
    bold frozen header row, columns sized to the headers and the first rows, text cells as
    text. Dates and numbers keep their type."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for index, sheet in enumerate(sheets):
        title = SHEET_TITLE_BAD.sub("_", sheet.title)[:31] or f"Sheet{index + 1}"
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        rows = iter(sheet.rows)
        head = list(itertools.islice(rows, measure_rows))
        if sheet.widths is not None:
            widths = list(sheet.widths)
        else:
            widths = [display_width(h) for h in sheet.headers]
            for row in head:
                for i, value in enumerate(row[:len(widths)]):
                    widths[i] = max(widths[i], display_width(value))
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 60)
        header_cells = []
        for h in sheet.headers:
            cell = WriteOnlyCell(ws, value=_xlsx_value(ws, str(h)))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in itertools.chain(head, rows):
            ws.append([_xlsx_value(ws, v) for v in row])
    if not sheets:
        wb.create_sheet("Sheet1")
    wb.save(target)


def write_xlsx(sheets: Sequence[Sheet] | Sheet) -> bytes:
    """An XLSX workbook as bytes (one Sheet or several)."""
    if isinstance(sheets, Sheet):
        sheets = [sheets]
    buffer = io.BytesIO()
    write_xlsx_to(buffer, sheets)
    return buffer.getvalue()


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
