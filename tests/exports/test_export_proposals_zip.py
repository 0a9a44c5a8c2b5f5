"""Organizers download every team's proposal as Word files in one zip."""

from __future__ import annotations

import io
import zipfile

from docx import Document

URL = "/api/v1/cohorts/tokyo-dx-2021/export/proposals.zip"


def test_export_proposals_zip_holds_one_word_file_per_team(login_as, demo):
    response = login_as("organizer@example.jp").get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert names == [f"提案書_チーム{n}.docx" for n in range(1, 6)]
    text = "\n".join(p.text for p in Document(io.BytesIO(archive.read(names[0]))).paragraphs)
    assert "提案書　チーム1" in text and "参加自治体" in text


def test_export_proposals_zip_refused_to_trainers_participants_and_outsiders(
        client, login_as, demo, make_user):
    make_user("outsider@example.jp")
    for email, status in (("trainer1@example.jp", 403), ("p01@example.jp", 403),
                          ("outsider@example.jp", 404)):
        assert login_as(email).get(URL).status_code == status, email
        client.post("/logout")
    assert client.get(URL).status_code == 401
