"""Tests for the enrolment CSV import and the Tokyo municipality data it relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.cohorts.enrolment_csv import EnrolmentRow, parse_enrolment_csv
from lms.cohorts.municipalities import load_tokyo_municipalities

DATA = Path(__file__).parent / "data"
HEADER = "氏名,メールアドレス,自治体,所属,役割"


@pytest.fixture(scope="module")
def municipalities() -> dict[str, str]:
    return {m.name: m.code for m in load_tokyo_municipalities()}


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return newline.join(lines).encode(encoding) + newline.encode(encoding)


def test_municipality_data_is_complete_and_honest() -> None:
    records = load_tokyo_municipalities()
    assert len(records) == 62
    by_name = {m.name: m for m in records}
    assert by_name["八王子市"].code == "132012"
    assert by_name["世田谷区"].kind == "特別区"
    assert by_name["青ヶ島村"].population == 169
    # No population in the source → None, not a made-up figure.
    assert by_name["小笠原村"].population is None
    assert by_name["小笠原村"].population_date is None
    assert all(m.source for m in records if m.population is not None)


def test_sample_cp932_file_reports_lines_6_7_8(municipalities: dict[str, str]) -> None:
    data = (DATA / "enrolment_cp932_with_errors.csv").read_bytes()
    result = parse_enrolment_csv(data, municipalities)
    assert not result.ok
    assert [row.line for row in result.rows] == [2, 3, 4, 5, 9]
    assert sorted({e.line for e in result.errors}) == [6, 7, 8]
    messages = {e.line: e.message for e in result.errors}
    assert messages[6] == (
        "6行目: メールアドレス hanako.sato@city.example.lg.jp は2行目と重複しています"
    )
    assert "形式" in messages[7] and "not-an-email" in messages[7]
    assert "東京市" in messages[8]
    # CP932-only characters survive decoding.
    assert result.rows[2].name == "髙橋 美咲"
    assert result.rows[4] == EnrolmentRow(
        line=9,
        name="小林 ①",
        email="kobayashi@city.example.lg.jp",
        municipality_code=municipalities["千代田区"],
        department="情報政策課",
        role="trainer",
    )
    assert result.rows[0].municipality_code == "132012"
    assert result.rows[0].role == "participant"


def test_utf8_with_bom(municipalities: dict[str, str]) -> None:
    data = b"\xef\xbb\xbf" + csv_bytes(HEADER, "髙橋 美咲,Misaki@Town.Example.lg.jp,瑞穂町,企画課,")
    result = parse_enrolment_csv(data, municipalities)
    assert result.ok, result.errors
    assert result.rows == [
        EnrolmentRow(2, "髙橋 美咲", "misaki@town.example.lg.jp", "133035", "企画課", "participant")
    ]


def test_utf8_without_bom_any_column_order_and_trimming(municipalities: dict[str, str]) -> None:
    data = csv_bytes(
        "\u3000役割 , 自治体,氏名,メールアドレス ,所属,備考",
        "",
        "主催者,,東京 太郎,ｔａｒｏ＠ｍｅｔｒｏ.example.jp,デジタルサービス局,メモ",
        "講師,東京都八王子市,\u3000講師 一郎\u3000, trainer1@example.jp ,,",
        "受講者,132012,佐藤 花子,p01@example.jp,,",
        "受講者,13201,鈴木 健太,p02@example.jp,,",
        "受講者,青ケ島村,渡邉 翔,p03@example.jp,,",
        ",,,,,",
        newline="\n",
    )
    result = parse_enrolment_csv(data, municipalities)
    assert result.ok, result.errors
    assert [(r.line, r.role, r.municipality_code) for r in result.rows] == [
        (3, "organizer", None),
        (4, "trainer", "132012"),
        (5, "participant", "132012"),
        (6, "participant", "132012"),
        (7, "participant", "134023"),
    ]
    assert result.rows[0].email == "taro@metro.example.jp"
    assert result.rows[1].name == "講師 一郎"
    assert result.rows[1].email == "trainer1@example.jp"


def test_missing_columns_one_error_naming_them(municipalities: dict[str, str]) -> None:
    data = csv_bytes("氏名,所属,役割", "佐藤 花子,DX推進課,受講者")
    result = parse_enrolment_csv(data, municipalities)
    assert result.rows == []
    assert len(result.errors) == 1
    message = result.errors[0].message
    assert "メールアドレス" in message and "自治体" in message


def test_unknown_municipality(municipalities: dict[str, str]) -> None:
    data = csv_bytes(HEADER, "中村 恵,m@example.jp,東京市,,受講者")
    result = parse_enrolment_csv(data, municipalities)
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "2行目: 自治体「東京市」が見つかりません(名称か団体コードで指定)")
    ]
    assert result.rows == []


def test_participant_needs_municipality_trainer_does_not(municipalities: dict[str, str]) -> None:
    data = csv_bytes(HEADER, "講師 一郎,t@example.jp,,,講師", "佐藤 花子,p@example.jp,,,受講者")
    result = parse_enrolment_csv(data, municipalities)
    assert [r.line for r in result.rows] == [2]
    assert [e.line for e in result.errors] == [3]
    assert "自治体" in result.errors[0].message


def test_duplicate_email_case_insensitive(municipalities: dict[str, str]) -> None:
    data = csv_bytes(
        HEADER,
        "佐藤 花子,p1@example.jp,八王子市,,",
        "鈴木 健太,p2@example.jp,八王子市,,",
        "伊藤 裕子,P1@Example.JP,世田谷区,,",
    )
    result = parse_enrolment_csv(data, municipalities)
    assert [e.message for e in result.errors] == [
        "4行目: メールアドレス p1@example.jp は2行目と重複しています"
    ]


def test_unknown_role(municipalities: dict[str, str]) -> None:
    data = csv_bytes(HEADER, "佐藤 花子,p1@example.jp,八王子市,,見学者")
    result = parse_enrolment_csv(data, municipalities)
    assert len(result.errors) == 1
    assert result.errors[0].line == 2
    assert "見学者" in result.errors[0].message


def test_several_problems_on_one_line_all_reported(municipalities: dict[str, str]) -> None:
    data = csv_bytes(HEADER, ",,東京市,,")
    result = parse_enrolment_csv(data, municipalities)
    assert len(result.errors) == 3
    assert all(e.line == 2 and e.message.startswith("2行目: ") for e in result.errors)


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b",,,,\r\n"])
def test_empty_file(municipalities: dict[str, str], data: bytes) -> None:
    result = parse_enrolment_csv(data, municipalities)
    assert not result.ok
    assert len(result.errors) == 1
    assert result.errors[0].line is None
    assert "空" in result.errors[0].message


def test_header_only_is_not_ok(municipalities: dict[str, str]) -> None:
    result = parse_enrolment_csv(csv_bytes(HEADER), municipalities)
    assert not result.ok
    assert result.rows == []


def test_undecodable_bytes_give_one_error(municipalities: dict[str, str]) -> None:
    result = parse_enrolment_csv(b"abc\x81\x00,\xff", municipalities)
    assert len(result.errors) == 1
    assert "文字コード" in result.errors[0].message


def test_quoted_multiline_cell_keeps_physical_line_numbers(
    municipalities: dict[str, str],
) -> None:
    data = csv_bytes(
        HEADER,
        '佐藤 花子,p1@example.jp,八王子市,"デジタル推進課\r\n(兼務)",',
        "鈴木 健太,bad,八王子市,,",
    )
    result = parse_enrolment_csv(data, municipalities)
    assert [r.line for r in result.rows] == [2]
    assert result.rows[0].department == "デジタル推進課\r\n(兼務)"
    assert [e.line for e in result.errors] == [4]


def test_extra_values_beyond_header_are_an_error(municipalities: dict[str, str]) -> None:
    data = csv_bytes(HEADER, "佐藤 花子,p1@example.jp,八王子市,デジタル推進課,受講者,余分")
    result = parse_enrolment_csv(data, municipalities)
    assert [e.line for e in result.errors] == [2]


def test_excel_unicode_text_utf16_tab_separated(municipalities: dict[str, str]) -> None:
    text = "氏名\tメールアドレス\t自治体\r\n佐藤 花子\tp1@example.jp\t八王子市\r\n"
    result = parse_enrolment_csv(text.encode("utf-16"), municipalities)
    assert result.ok, result.errors
    assert result.rows[0].municipality_code == "132012"


def test_xlsx_is_refused_with_a_hint(municipalities: dict[str, str]) -> None:
    result = parse_enrolment_csv(b"PK\x03\x04rest-of-zip", municipalities)
    assert len(result.errors) == 1
    assert "xlsx" in result.errors[0].message
