"""Safe display names and ASCII fallbacks for uploaded files."""

import pytest

from lms.homework.filetypes import ascii_fallback, safe_display_name


@pytest.mark.parametrize("raw, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\x\\y.pdf", "y.pdf"),
    ("..\\..\\.pdf", "添付ファイル.pdf"),
    ("報告書\x00.pdf", "報告書.pdf"),
    ("a<b>:c?.pdf", "abc.pdf"),
    ("", "添付ファイル.pdf"),
    ("noext", "noext.pdf"),
    ("ｶﾞ.pdf", "ｶﾞ.pdf"),
])
def test_safe_display_name(raw, shown):
    assert safe_display_name(raw, "pdf") == shown


def test_long_names_keep_their_extension():
    name = safe_display_name("あ" * 300 + ".xlsx", "xlsx")
    assert len(name) == 200 and name.endswith(".xlsx")


def test_ascii_fallback():
    assert ascii_fallback("報告書.pdf") == "file.pdf"
    assert ascii_fallback("Report 2021 報告.docx") == "Report_2021.docx"
