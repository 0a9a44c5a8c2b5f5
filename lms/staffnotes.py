"""Notes in course texts meant for trainers and organizers, kept from participants.

A block is a staff note when it is wrapped in `<!-- staff -->` … `<!-- /staff -->`, or when
it asks staff to edit the template (「…編集してください」 in the course's own notes)."""

from __future__ import annotations

import re

_MARKED = re.compile(r"<!--\s*staff\s*-->.*?<!--\s*/staff\s*-->", re.S | re.I)
_ASKS_STAFF = ("編集してください",)


def strip_staff_notes(markdown: str) -> str:
    """The Markdown without staff notes (and without a rule left dangling at the end)."""
    text = _MARKED.sub("", markdown or "")
    blocks = re.split(r"\n\s*\n", text)
    kept = [b for b in blocks if not any(phrase in b for phrase in _ASKS_STAFF)]
    while kept and kept[-1].strip() in ("", "---", "***", "___"):
        kept.pop()
    return "\n\n".join(kept).strip("\n")
