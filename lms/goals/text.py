"""Step 1: normalise the input and cut it into sentences (NFKC, length caps, 施策 notes)."""

from __future__ import annotations

import re
import unicodedata

MAX_GOAL_CHARS = 2000
MAX_GOALS = 20  # sentences judged per text; bounds latency on pasted documents

_BULLET = re.compile(r"^\s*(?:[・●○◆◇■□▪▶►\-*+•]|\d{1,2}[.)．、]|[①-⑳]|\(\d{1,2}\))\s*")
_SENT_SPLIT = re.compile(r"(?<=[。！？!?])|\n+")
# A note naming the means, as the guide's own rewrite writes it: 「…(施策:電子申請の導入)」.
# It says where the means belongs, so it is not part of the goal.
_MEANS_NOTE = re.compile(r"[(\[【［（]\s*(?:施策|手段|取組|指標)\s*[:：][^)\]】］）]*[)\]】］）]")


def normalize(text: str) -> str:
    """NFKC, drop control/format/surrogate characters, collapse spaces, cap the length."""
    text = unicodedata.normalize("NFKC", str(text))[: MAX_GOAL_CHARS * 2]
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\r":
            out.append("\n")
        elif cat in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif cat in ("Cf", "Cs", "Co", "Cn"):
            continue  # zero-width, lone surrogates (from JSON) and unassigned break analysers
        else:
            out.append(ch)
    text = "".join(out)
    text = re.sub(r"[ \t\u3000]+", " ", text)
    text = re.sub(r"\s*\n\s*", "\n", text).strip()
    return text[:MAX_GOAL_CHARS]


def strip_means_notes(text: str) -> str:
    """Drop 「(施策:…)」 notes; the means they name is not the goal."""
    return _MEANS_NOTE.sub("", text).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences on 。！？ and line breaks, bullet marks stripped, at most the last MAX_GOALS."""
    parts = []
    for piece in _SENT_SPLIT.split(text):
        piece = _BULLET.sub("", piece or "").strip()
        if piece:
            parts.append(piece)
    return parts[-MAX_GOALS:]
