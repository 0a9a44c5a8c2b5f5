"""Copy (issue 13): template notes for staff are kept from participants."""

from __future__ import annotations

from lms.staffnotes import strip_staff_notes


def test_staff_notes_are_stripped():
    text = ("> この次第はテンプレートです。講師が日程に合わせて編集してください。\n\n"
            "## 14:00 開会\n\n本文\n\n<!-- staff -->\n講師だけのメモ\n<!-- /staff -->\n\n"
            "---\n\n※ テンプレートです。講師が実施に合わせて編集してください。\n")
    out = strip_staff_notes(text)
    assert "編集してください" not in out and "講師だけのメモ" not in out
    assert out == "## 14:00 開会\n\n本文"


def test_participants_do_not_see_template_notes(login_as, demo, client):
    page = login_as("p01@example.jp").get("/c/tokyo-dx-2021/sessions/1").get_data(as_text=True)
    assert "編集してください" not in page and "アジェンダ" in page
    overview = client.get("/c/tokyo-dx-2021/").get_data(as_text=True)
    assert "編集してください" not in overview
    client.post("/logout")
    staff = login_as("trainer1@example.jp")
    assert "編集してください" in staff.get("/c/tokyo-dx-2021/sessions/1").get_data(as_text=True)
