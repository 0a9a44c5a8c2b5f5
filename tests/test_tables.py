"""One reader for uploaded tables, shared by the enrolment and attendance importers."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from lms.cohorts.enrolment_csv import EnrolmentRow, parse_enrolment_csv
from lms.cohorts.municipalities import load_tokyo_municipalities
from lms.sessions.attendance_import import AttendanceEntry, parse_attendance_report
from lms.tables import TableError, read_rows


def xlsx(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data", [
    "氏名,自治体\r\n佐藤 花子,八王子市\r\n".encode("cp932"),
    "\ufeff氏名,自治体\r\n佐藤 花子,八王子市\r\n".encode(),
    "氏名\t自治体\r\n佐藤 花子\t八王子市\r\n".encode("utf-16"),
    "氏名,自治体\n佐藤 花子,八王子市\n".encode(),
])
def test_every_encoding_excel_writes_reads_the_same(data: bytes) -> None:
    assert [cells for _line, cells in read_rows(data)] == [["氏名", "自治体"],
                                                           ["佐藤 花子", "八王子市"]]


def test_utf16le_without_bom_is_recognised_by_its_zero_bytes() -> None:
    data = "Name\tEmail\r\nSato\tp01@example.jp\r\n".encode("utf-16-le")
    assert [cells for _line, cells in read_rows(data)] == [["Name", "Email"],
                                                           ["Sato", "p01@example.jp"]]


def test_a_quoted_cell_over_two_lines_keeps_the_line_where_its_record_starts() -> None:
    rows = read_rows(b'a,b\r\n"1\r\n2",x\r\n3,y\r\n')
    assert [line for line, _cells in rows] == [1, 2, 4]


def test_unknown_encoding_and_broken_workbook_are_refused_in_japanese() -> None:
    with pytest.raises(TableError, match="文字コード"):
        read_rows(b"\xef\xbb\xbf\xff\xfe\xfa")
    with pytest.raises(TableError, match="xlsx"):
        read_rows(b"PK\x03\x04rest-of-zip")


def test_enrolment_list_from_an_xlsx_book() -> None:
    municipalities = {m.name: m.code for m in load_tokyo_municipalities()}
    data = xlsx(("氏名", "メールアドレス", "自治体", "所属", "役割"),
                ("髙橋 美咲", "Misaki@Town.Example.lg.jp", "瑞穂町", "企画課", None))
    result = parse_enrolment_csv(data, municipalities)
    assert result.ok, result.errors
    assert result.rows == [
        EnrolmentRow(2, "髙橋 美咲", "misaki@town.example.lg.jp", "133035", "企画課", "participant")
    ]


def test_attendance_from_an_xlsx_book_with_numbers_as_cells() -> None:
    report = parse_attendance_report(xlsx(("氏名", "メールアドレス", "参加時間"),
                                          ("佐藤 花子", "p01@example.jp", 45)))
    assert report.entries == [AttendanceEntry("佐藤 花子", "p01@example.jp", 45, None, None)]
