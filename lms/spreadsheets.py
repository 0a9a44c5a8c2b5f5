"""Shared CSV and XLSX writers that open correctly in Japanese Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

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


# --- XLSX -----------------------------------------------------------------------------------

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_title(text: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the book."""
    base = (text.translate(_SHEET_FORBIDDEN).strip("'") or "Sheet")[:31]
    title, n = base, 2
    while title.lower() in used:
        suffix = f"({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """An XLSX book with one sheet per (title, headers, rows): bold frozen header row, columns
    sized to their content, every text cell stored as text (a user's "=..." is never a
    formula); ints and floats stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(sheet_title(title, used))
        widths = [_display_width(str(h)) for h in headers]
        for col, header in enumerate(headers, start=1):
            _text_cell(sheet.cell(row=1, column=col), str(header)).font = bold
        for r, row in enumerate(rows, start=2):
            for col, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=col)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell.value = value
                else:
                    _text_cell(cell, "" if value is None else str(value))
                if col > len(widths):
                    widths.append(0)
                widths[col - 1] = max(widths[col - 1], _display_width(str(value or "")))
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_cell(cell, text: str):
    # openpyxl reads a leading "=" as a formula; force the string type, and mark the cell
    # quote-prefixed so Excel keeps it as text when someone edits it.
    text = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 32)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True
    return cell


def _display_width(text: str) -> int:
    """Roughly how many columns the longest line takes (CJK characters count two)."""
    longest = 0
    for line in text.splitlines() or [""]:
        longest = max(longest, sum(2 if ord(ch) > 0x2E7F else 1 for ch in line))
    return longest
