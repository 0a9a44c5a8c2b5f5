"""Step 5: SMART slots (beneficiary, metric, target, deadline, baseline) as the user wrote them."""

from __future__ import annotations

import re

from . import lexicon as lx
from .cues import alt

SLOT_NAMES = ("beneficiary", "metric", "target", "deadline", "baseline")

# Slots. Deadlines first so their digits are not read as targets.
DEADLINE_RX = re.compile(
    r"(?:(?:令和|平成|R|FY)\s*\d{1,4}|\d{2,4})\s*(?:[~〜～-]\s*\d{1,4}\s*)?(?:年度|年)"
    r"(?:\s*\d{1,2}\s*月)?(?:末|中|内|上半期|下半期)?(?:\s*まで(?:に)?)?"
    r"|\d{1,2}\s*月(?:末)?\s*まで(?:に)?"
    r"|(?:今年度|本年度|来年度|次年度|年度内|年内)(?:末)?(?:まで(?:に)?)?"
    r"|\bR\d{1,2}\b|\bFY\s*\d{2,4}\b"
    r"|\bby\s+(?:the\s+end\s+of\s+)?(?:[A-Z][a-z]+\s+)?(?:FY\s*)?\d{4}\b",
    re.IGNORECASE,
)
_BASELINE_RX = re.compile(
    r"(?:現状|現在|施策前|導入前|実施前|基準値|基準|ベースライン|\bbaseline\b|\bcurrently\b)"
    r"\s*(?:値)?\s*[:：は=]?\s*(?:約)?\s*\d[\d,.]*\s*(?:万|千)?\s*"
    r"(?:%|割|分|時間|件|人|回|日|秒|円|団体)?(?:\s*/\s*[年月日週])?"
    r"|\d[\d,.]*\s*(?:万|千)?\s*(?:%|割|分|時間|件|人|回|日|秒|円)\s*から",
    re.IGNORECASE,
)
_TARGET_RX = re.compile(
    r"\d[\d,.]*\s*(?:万|千|億)?\s*(?:%|割|倍|件|人|回|分|時間|日|団体|校|手続き?|箇所|円|"
    r"ポイント|pt|社|枚|本|km)(?:\s*/\s*[年月日週])?(?:以上|以下|未満|超|減|増加?|削減|短縮)?"
    r"|半減|倍増|ゼロ|\bhalve\b|\bzero\b",
    re.IGNORECASE,
)
_METRIC_SLOT_RX = re.compile(
    r"(?:[\u4e00-\u9fff々\u30a1-\u30ffーA-Za-z]|待ち|手続き|読み|受け)*"
    r"(?:満足度|理解度|認知度|利用率|割合|件数|人数|者数|回数|時間|日数|期間|(?<![多複少])数(?![値字])|"
    r"(?<![効能確])率|手間|負担|コスト)"
    r"|\b(?:usage|use|utili[sz]ation|online|satisfaction|waiting|processing)\s+(?:rate|time)\b"
    r"|\bsatisfaction\b|\bwaiting time\b|\bnumber of \w+",
    re.IGNORECASE,
)
DEADLINE_STRIP = re.compile(f"(?:{DEADLINE_RX.pattern})(?:中|内)?(?:に|で)?\\s*", re.IGNORECASE)
_BENEF_SLOT_RX = re.compile(alt(lx.BENEFICIARY_WORDS, escape=True), re.IGNORECASE)


def _first(rx: re.Pattern[str], text: str, limit: int = 1) -> str | None:
    found: list[str] = []
    for m in rx.finditer(text):
        w = m.group(0).strip(" 、,")
        if w and w not in found:
            found.append(w)
        if len(found) >= limit:
            break
    return "、".join(found) if found else None


def _mask(text: str, rx: re.Pattern[str]) -> str:
    return rx.sub(lambda m: "□" * len(m.group(0)), text)


def extract_slots(text: str) -> dict[str, str | None]:
    """SMART slots: the words found in the text, or None."""
    deadline = _first(DEADLINE_RX, text)
    baseline = _first(_BASELINE_RX, text)
    masked = _mask(_mask(text, DEADLINE_RX), _BASELINE_RX)
    target = _first(_TARGET_RX, masked, limit=2)
    metric = None
    for m in _METRIC_SLOT_RX.finditer(_mask(text, DEADLINE_RX)):
        w = m.group(0)
        if w and not re.fullmatch(r"時間|率|数", w):
            metric = w
            break
        metric = metric or w
    benef = _first(_BENEF_SLOT_RX, text)
    return {
        "beneficiary": benef,
        "metric": metric,
        "target": target,
        "deadline": deadline,
        "baseline": baseline,
    }
