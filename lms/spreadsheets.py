"""Shared CSV and XLSX writers that open correctly in Japanese Excel."""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

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


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EXCEL_EPOCH = datetime(1899, 12, 30)
# Cell styles (index into cellXfs): 0 plain, 1 bold header, 2 date-time, 3 date.
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy/mm/dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy/mm/dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>')


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_escape(text: str) -> str:
    if _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")


def _xlsx_cell(ref: str, value, style: int = 0) -> str:
    """One <c>: text is always an inline string (never a formula, whatever it starts with),
    numbers stay numbers, dates become Excel serials with a date format."""
    if value is None or value == "":
        return ""
    s = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, int | float) and math.isfinite(value):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        naive = value.replace(tzinfo=None)  # Excel has no time zones: callers pass local time
        serial = (naive - _EXCEL_EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="2"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="3"><v>{(value - _EXCEL_EPOCH.date()).days}</v></c>'
    return (f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">'
            f"{_xml_escape(str(value))}</t></is></c>")


def _sheet_rows(sheet: Sheet, widths: list[float], head: list, rest) -> Iterator[str]:
    yield (f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
           '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
           'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
           'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
           '<sheetFormatPr defaultRowHeight="15"/>')
    if widths:
        yield "<cols>" + "".join(
            f'<col min="{i}" max="{i}" width="{min(max(w + 2, 6), 60)}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)) + "</cols>"
    yield "<sheetData>"
    letters = [_column_letter(i) for i in range(1, len(sheet.headers) + 1)]
    yield '<row r="1">' + "".join(_xlsx_cell(f"{letters[i]}1", str(h), 1)
                                  for i, h in enumerate(sheet.headers)) + "</row>"
    for number, row in enumerate(itertools.chain(head, rest), start=2):
        while len(letters) < len(row):
            letters.append(_column_letter(len(letters) + 1))
        yield f'<row r="{number}">' + "".join(
            _xlsx_cell(f"{letters[i]}{number}", v) for i, v in enumerate(row)) + "</row>"
    yield "</sheetData></worksheet>"


def write_xlsx_to(target, sheets: Sequence[Sheet], *, measure_rows: int = 200) -> None:
    """Write an XLSX workbook to a path or a seekable file, streaming rows into the zip (flat
    memory, fast): bold frozen header row, columns sized to the headers and the first rows,
    text as inline strings (never formulas); numbers and dates keep their type."""
    sheets = list(sheets) or [Sheet("Sheet1", [], [])]
    names = []
    for index, sheet in enumerate(sheets):
        title = SHEET_TITLE_BAD.sub("_", sheet.title)[:31] or f"Sheet{index + 1}"
        while title in names:
            title = f"{title[:28]}_{index + 1}"
        names.append(title)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1))
        archive.writestr("[Content_Types].xml", (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}'
            "</Types>"))
        archive.writestr("_rels/.rels", (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            f'{_XML_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews>'
            '<workbookView/></bookViews><sheets>' + "".join(
                f'<sheet name="{_xml_escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, n in enumerate(names, start=1)) + "</sheets></workbook>"))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">' + "".join(
                f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
            + f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL_NS}/styles" '
            'Target="styles.xml"/></Relationships>'))
        archive.writestr("xl/styles.xml", _STYLES)
        for i, sheet in enumerate(sheets, start=1):
            rows = iter(sheet.rows)
            head = list(itertools.islice(rows, measure_rows))
            if sheet.widths is not None:
                widths = list(sheet.widths)
            else:
                widths = [display_width(h) for h in sheet.headers]
                for row in head:
                    for j, value in enumerate(row[:len(widths)]):
                        widths[j] = max(widths[j], display_width(value))
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                buffer = []
                for part in _sheet_rows(sheet, widths, head, rows):
                    buffer.append(part)
                    if len(buffer) >= 500:
                        out.write("".join(buffer).encode("utf-8"))
                        buffer = []
                out.write("".join(buffer).encode("utf-8"))


def write_xlsx(sheets: Sequence[Sheet] | Sheet) -> bytes:
    """An XLSX workbook as bytes (one Sheet or several)."""
    if isinstance(sheets, Sheet):
        sheets = [sheets]
    buffer = io.BytesIO()
    write_xlsx_to(buffer, sheets)
    return buffer.getvalue()


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
