"""Step 3: cut a sentence into clauses; purpose (ため・よう) and negated (ではなく) parts marked."""

from __future__ import annotations

import re
from typing import Any

from . import lexicon as lx
from ._analyzer import Token
from .cues import alt

PURPOSE_RX = re.compile(
    r"(?:ために|ため[、,]|ためには|ため(?=[^\s、,。の]))"  # 〜ために / 〜ため、
    r"|(?:に向け(?:て|ての)?[、,]?(?!た))"
    r"|(?:を目指し(?:て)?[、,])"
    r"|(?:べく[、,]?)"
    r"|(?:を目的(?:に|と)(?:し(?:て)?)?[、,]?)",
    re.IGNORECASE,
)
_EN_PURPOSE_RX = re.compile(
    r"\b(?:in order to|so that|so as to|to help|"
    r"to (?:reduce|cut|shorten|improve|increase|raise|lower|make|enable|"
    r"allow|save))\b",
    re.I,
)
_BENEF_BEFORE = re.compile(f"(?:{alt(lx.BENEFICIARY_WORDS, escape=True)}|人|方|皆|みんな)の$")
_LOCAL_PURPOSE_RX = re.compile(r"ための|に向けた|を目指した|\bfor the purpose of\b")
_CHAIN_RX = re.compile(r"(?:ことにより|ことによって|により|によって|ことで|の結果)[、,]?")
_NEGATED_RX = re.compile(r"(?:の)?(?:では|じゃ|で)なく(?:て)?[、,]?|\brather than\b|\binstead of\b")


def _bounds(text: str, tokens: list[Token]) -> list[tuple[int, str, bool]]:
    """(position, kind of the span before it, purpose scopes over the whole prefix)."""
    bounds: list[tuple[int, str, bool]] = []
    for m in PURPOSE_RX.finditer(text):
        if _BENEF_BEFORE.search(text[: m.start()]):
            continue  # 市民のために = for residents (benefactive), not a purpose clause
        if text[m.end() :].strip(" 、,。"):
            bounds.append((m.end(), "purpose", True))
    for m in _LOCAL_PURPOSE_RX.finditer(text):
        if text[m.end() :].strip(" 、,。"):
            bounds.append((m.end(), "purpose", False))
    for m in _NEGATED_RX.finditer(text):
        if text[m.end() :].strip(" 、,。"):
            bounds.append((m.end(), "negated", False))
    for m in _CHAIN_RX.finditer(text):
        bounds.append((m.end(), "main", False))
    bounds.extend(_token_bounds(tokens))
    m = _EN_PURPOSE_RX.search(text)
    if m and m.start() > 0:  # English states the purpose after the main clause
        bounds.append((m.start(), "main", False))
        bounds.append((len(text), "purpose", False))
    return bounds


def _token_bounds(tokens: list[Token]) -> list[tuple[int, str, bool]]:
    """Chains (〜し、〜して、) and 〜よう purposes found from the morphemes."""
    bounds: list[tuple[int, str, bool]] = []
    for i, t in enumerate(tokens):
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if t.surface in ("、", ",") and prev is not None:
            if (
                (prev.pos in ("動詞", "助動詞", "形容詞") and prev.conj.startswith("連用"))
                or (
                    prev.pos == "助詞"
                    and prev.surface in ("て", "で", "ば", "し", "つつ", "ながら")
                )
                or prev.surface in ("とともに", "ともに")
            ):
                bounds.append((t.end, "main", False))
        elif t.surface in ("よう", "様") and prev is not None and prev.pos in ("動詞", "助動詞"):
            j = i + 1
            if j < len(tokens) and tokens[j].surface == "に":
                j += 1
            if j < len(tokens) and tokens[j].pos not in ("動詞", "助動詞", "記号"):
                bounds.append((tokens[j].start, "purpose", True))  # 〜できるよう行政の…
            elif j < len(tokens) and tokens[j].surface in ("、", ","):
                bounds.append((tokens[j].end, "purpose", True))
        elif (
            t.pos == "動詞"
            and t.conj.startswith("連用")
            and nxt is not None
            and nxt.pos in ("名詞", "接頭辞")
            and t.lemma in ("する", "行う", "図る", "進める")
        ):
            bounds.append((t.end, "main", False))  # 導入し窓口の… without a comma
    return bounds


def split_clauses(text: str, tokens: list[Token]) -> list[tuple[int, int, str]]:
    """Return (start, end, kind) spans; kind is main, purpose or negated."""
    bounds = sorted(_bounds(text, tokens), key=lambda b: (b[0], b[1] == "main"))
    spans: list[list[Any]] = []
    prev_pos = 0
    for pos, kind, whole in bounds:
        if pos <= prev_pos:
            continue
        if whole and kind == "purpose":
            for s in spans:  # 〜し、〜するために: the purpose scopes over the chain before it
                if s[2] == "main":
                    s[2] = "purpose"
        spans.append([prev_pos, pos, kind])
        prev_pos = pos
    spans.append([prev_pos, len(text), "main"])
    return [(a, b, k) for a, b, k in spans if text[a:b].strip(" 、,。")]
