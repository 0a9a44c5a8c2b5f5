"""Search hits shown with the words found marked: the text is escaped first, and only our own
<mark> tags are added, so nothing a member wrote ever becomes HTML."""

from __future__ import annotations

import unicodedata

from markupsafe import Markup, escape

SNIPPET_CHARS = 240  # a longer message is cut around its first hit
BEFORE_HIT = 60


def _normalised_with_origins(text: str) -> tuple[str, list[int]]:
    """NFKC + lower case per character (as the search's normalisation does), with the index
    of the original character each normalised one came from."""
    out: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char).lower()
        out.append(piece)
        origins.extend([index] * len(piece))
    return "".join(out), origins


def hit_spans(text: str, q: str) -> list[tuple[int, int]]:
    """Where q occurs in text, as (start, end) in the original text, matched the way search
    matches (ＤＸ finds dx), without overlaps."""
    needle = unicodedata.normalize("NFKC", q.strip()).lower()
    if not needle:
        return []
    haystack, origins = _normalised_with_origins(text)
    spans: list[tuple[int, int]] = []
    at = haystack.find(needle)
    while at != -1:
        spans.append((origins[at], origins[at + len(needle) - 1] + 1))
        at = haystack.find(needle, at + len(needle))
    return spans


def highlight(text: str, q: str, limit: int = SNIPPET_CHARS) -> Markup:
    """An escaped excerpt of text (the whole of it when short) with each hit of q in <mark>."""
    spans = hit_spans(text, q)
    start, end = 0, len(text)
    if len(text) > limit:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - BEFORE_HIT, len(text) - limit))
        end = start + limit
    parts: list[str] = ["…" if start else ""]
    cursor = start
    for hit_start, hit_end in spans:
        if hit_end <= start or hit_start >= end:
            continue
        hit_start, hit_end = max(hit_start, start), min(hit_end, end)
        parts.append(str(escape(text[cursor:hit_start])))
        parts.append(f"<mark>{escape(text[hit_start:hit_end])}</mark>")
        cursor = hit_end
    parts.append(str(escape(text[cursor:end])))
    if end < len(text):
        parts.append("…")
    return Markup("".join(parts))
