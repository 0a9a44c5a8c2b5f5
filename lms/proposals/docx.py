"""The proposal as a Word file (python-docx), for each municipality's approval process."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from flask import Response

from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.proposals.models import STATUS_LABELS, Proposal
from lms.proposals.template import proposal_template

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s{0,3}\d{1,3}[.)]\s+(.*)$")
_INLINE = re.compile(r"(\*\*[^*]+\*\*|`[^`]+`)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _runs(paragraph, text: str) -> None:
    """Bold for **…**, code as is; links become 'text (url)'."""
    text = _LINK.sub(r"\1（\2）", text)
    for part in _INLINE.split(text):
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            paragraph.add_run(part[1:-1])
        elif part:
            paragraph.add_run(part)


def _markdown(document, text: str) -> None:
    """A small Markdown subset, enough for what teams write: headings, lists, paragraphs."""
    buffer: list[str] = []

    def flush():
        if buffer:
            _runs(document.add_paragraph(), " ".join(buffer) if all(
                line.isascii() for line in buffer) else "".join(buffer))
            buffer.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if m := _HEADING.match(line):
            flush()
            document.add_heading(m.group(2).strip(), level=min(len(m.group(1)) + 1, 4))
        elif m := _BULLET.match(line):
            flush()
            _runs(document.add_paragraph(style="List Bullet"), m.group(1))
        elif m := _NUMBERED.match(line):
            flush()
            _runs(document.add_paragraph(style="List Number"), m.group(1))
        else:
            buffer.append(line.strip())
    flush()


def build_docx(proposal: Proposal) -> bytes:
    cohort = db.session.get(Cohort, proposal.cohort_id)
    template = proposal_template(cohort)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Yu Gothic"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "游ゴシック")
    team = proposal.team
    municipalities = "・".join(cm.municipality.name for cm in team.members)
    section = document.sections[0]
    section.header.paragraphs[0].text = f"{cohort.title}　{team.name}（{municipalities}）"
    document.add_heading(f"提案書　{team.name}", level=0)
    document.add_paragraph(f"研修：{cohort.title}")
    document.add_paragraph(f"参加自治体：{municipalities}")
    document.add_paragraph(f"状態：{STATUS_LABELS[proposal.status]}　第{proposal.revision}版")
    for number, item in enumerate(template.sections, start=1):
        document.add_heading(f"{number}. {item.title}", level=1)
        body = (proposal.sections or {}).get(item.key, "")
        if body.strip():
            _markdown(document, body)
        else:
            document.add_paragraph("（未記入）")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_filename(proposal: Proposal) -> str:
    return f"提案書_{proposal.team.name}.docx"


def docx_response(proposal: Proposal) -> Response:
    name = docx_filename(proposal)
    response = Response(build_docx(proposal), mimetype=DOCX_MIME)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"proposal-{proposal.id}.docx\"; "
        f"filename*=UTF-8''{quote(name, safe='')}")
    response.headers["Cache-Control"] = "private, no-store"
    return response
