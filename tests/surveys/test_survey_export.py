"""The feedback export (CSV and XLSX) for organizers: headers, rows, BOM and CRLF, the
formula guard, and no name for anonymous answers."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

SLUG = "tokyo-dx-2021"
HEADERS = ["回", "アンケート", "設問", "回答", "自治体", "氏名"]


@pytest.fixture
def api(client, token_for, demo):
    headers: dict[str, dict] = {}

    def call(email: str, method: str, path: str, **kwargs):
        if email not in headers:
            headers[email] = token_for(email)
        return getattr(client, method)("/api/v1" + path, headers=headers[email], **kwargs)

    return call


def _second_survey(api):
    return next(s for s in api("p01@example.jp", "get", f"/cohorts/{SLUG}/surveys").get_json()
                if s["session_number"] == 2)


def test_survey_export_only_for_organizers(api):
    for kind in ("csv", "xlsx"):
        assert api("trainer1@example.jp", "get",
                   f"/cohorts/{SLUG}/export/feedback.{kind}").status_code == 403
        assert api("p01@example.jp", "get",
                   f"/cohorts/{SLUG}/export/feedback.{kind}").status_code == 403
        assert api("organizer@example.jp", "get",
                   f"/cohorts/nope/export/feedback.{kind}").status_code == 404


def test_survey_export_csv_rows_bom_crlf_and_no_names_when_anonymous(api, db):
    from lms.auth.models import User

    sid = _second_survey(api)["id"]
    api("p01@example.jp", "put", f"/surveys/{sid}/response",
        json={"answers": {"satisfaction": 5, "good": "=HYPERLINK(\"http://x\")",
                          "improve": "-1+2", "request": "@今後も"}})
    response = api("organizer@example.jp", "get", f"/cohorts/{SLUG}/export/feedback.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADERS
    body = rows[1:]
    named = [r for r in body if r[0] == "第1回"]
    anonymous = [r for r in body if r[0] == "第2回"]
    # Session 1: 42 people, a rating each and their non-empty texts; names and municipalities.
    assert len([r for r in named if r[2].startswith("今回の研修の満足度")]) == 42
    assert all(r[4] and r[5] for r in named)
    p02 = db.session.query(User).filter_by(email="p02@example.jp").one()
    assert any(r[5] == p02.name and r[4] == "世田谷区" for r in named)
    # Session 2 is anonymous: no name, no municipality, no email, anywhere.
    assert anonymous and all(r[4] == "" and r[5] == "" for r in anonymous)
    assert len([r for r in anonymous if r[2].startswith("今回の研修の満足度")]) == 25
    p01 = db.session.query(User).filter_by(email="p01@example.jp").one()
    text = raw.decode("utf-8-sig")
    assert "p01@example.jp" not in text
    assert all(p01.name not in "".join(r) for r in anonymous)
    # Formula guard: user text that Excel would run gets a leading apostrophe.
    answers = {r[3] for r in anonymous}
    assert "'=HYPERLINK(\"http://x\")" in answers and "'-1+2" in answers
    assert "'@今後も" in answers


def test_survey_export_xlsx_sheets_frozen_header_and_text_cells(api):
    sid = _second_survey(api)["id"]
    api("p01@example.jp", "put", f"/surveys/{sid}/response",
        json={"answers": {"satisfaction": 5, "good": "=1+1", "improve": "", "request": ""}})
    response = api("organizer@example.jp", "get", f"/cohorts/{SLUG}/export/feedback.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames[0] == "集計"
    assert "第1回 研修アンケート" in book.sheetnames and "研修全体のアンケート" in book.sheetnames
    summary = book["集計"]
    assert [c.value for c in summary[1]][:6] == ["回", "アンケート", "記名", "状態", "回答数",
                                                 "設問"]
    first = next(r for r in summary.iter_rows(min_row=2, values_only=True) if r[0] == "第1回")
    assert first[4] == 42 and sum(first[7:12]) == 42
    second = book["第2回 研修アンケート"]
    assert second.freeze_panes == "A2"
    assert [c.value for c in second[1]] == HEADERS
    assert second.column_dimensions["D"].width > 8
    rows = list(second.iter_rows(min_row=2))
    formula = next(r for r in rows if r[3].value == "=1+1")
    assert formula[3].data_type == "s"  # text, never a formula
    assert all(r[4].value in (None, "") and r[5].value in (None, "") for r in rows)
    named = book["第1回 研修アンケート"]
    assert all(r[5] for r in named.iter_rows(min_row=2, values_only=True))


def test_survey_export_download_buttons_for_organizers(client, demo):
    from tests.conftest import login

    login(client, "organizer@example.jp")
    page = client.get(f"/c/{SLUG}/surveys").get_data(as_text=True)
    assert f"/c/{SLUG}/export/feedback.xlsx" in page
    download = client.get(f"/c/{SLUG}/export/feedback.csv")
    assert download.status_code == 200 and download.get_data().startswith(b"\xef\xbb\xbf")
    client.post("/logout")
    login(client, "trainer1@example.jp")
    assert f"/c/{SLUG}/export/feedback.xlsx" not in client.get(
        f"/c/{SLUG}/surveys").get_data(as_text=True)
    assert client.get(f"/c/{SLUG}/export/feedback.xlsx").status_code == 403
