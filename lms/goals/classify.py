"""Step 4: classify one clause on the logic model: the governing cue decides (last one wins).

Whose number is it (guide step 4)? A metric head is classified by the closest word describing
it: the organisation's own output (supply) → means; beneficiaries' use, time, behaviour, life or
perception (demand) → outcome. A clause with no decisive cue but a beneficiary or another actor
as its subject (地元企業が…生み出す, 区民は…利用できる) states their behaviour → outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon as lx
from .cues import DECISIVE, ELIMINATE, NEG_AFTER, Cue, alt

# Staff doing something is the organisation acting (職員が自ら作る = 活動), so staff words are
# not subjects here; their time and burden are found by the outcome cues instead.
_STAFF = {"職員", "教職員", "教員", "担当者", "staff", "employees"}
_SUBJECTS = [w for w in lx.BENEFICIARY_WORDS + lx.ACTOR_WORDS if w not in _STAFF]
_SUBJECT_RX = re.compile(
    rf"(?:{alt(_SUBJECTS, escape=True)})"
    r"(?:の[^、。がはを]{0,12})?(?:が|は)(?![じ])",
    re.IGNORECASE,
)
_CAUSATIVE_AFTER = re.compile(r"^(?:よう(?:に)?(?:する|します|したい|して))")
# People counted: 「〜する人の割合」「成婚者 100人」 are measured on the people's side.
_PEOPLE_BEFORE_METRIC = re.compile(r"(?:人|者|世帯|家庭|方|市民|住民|町民|区民|県民)の?$")
_DEMAND_DEFAULT = ("者数", "人数", "時間", "日数", "期間", "回数", "人口", "者", "世帯")
_DEMAND_DEFAULT_WORDS = ("満足度", "認知度", "理解度", "幸福度", "人口")
_SUPPLY_DEFAULT = ("箇所数", "か所数", "カ所数", "箇所", "か所", "カ所")


@dataclass
class Clause:
    verdict: str  # means / outcome / unclear
    cue: Cue | None
    level: str | None
    text: str
    metric_side: str | None = None  # supply / demand when a metric decided
    negated_means: bool = False


def has_people_subject(text: str) -> bool:
    """A beneficiary or another actor is the subject (区民は、 / 地元企業が)."""
    return bool(_SUBJECT_RX.search(text))


def topic_subject(text: str) -> str | None:
    """「区民は」 opening a sentence: the subject its later clauses share."""
    m = _SUBJECT_RX.search(text[:16])
    return m.group(0) if m and m.start() <= 2 else None


def metric_side(metric: Cue, cues: list[Cue], text: str = "") -> str | None:
    """Whose number is it? The closest describing word before the metric head decides."""
    if metric.word.endswith(_SUPPLY_DEFAULT):
        return "supply"  # places counted (設置箇所数, 3カ所) are what the organisation provides
    best: Cue | None = None
    for c in cues:
        if c is metric or c.kind not in ("means", "supply", "demand", "benef"):
            continue
        inside = c.kind == "demand" and c.start == metric.start and c.end <= metric.end
        if c.start < metric.start or (c.start == metric.start and c.end < metric.end) or inside:
            if c.end <= metric.end and metric.start - c.end <= 40:
                if best is None or (c.end, c.kind == "supply", c.end - c.start) > (
                    best.end,
                    best.kind == "supply",
                    best.end - best.start,
                ):
                    best = c
    if best is not None:
        if best.kind in ("demand", "benef") and not re.match(r"[ぁ-ん]", best.word) and any(
            c.kind in ("means", "supply") and c.end == best.start for c in cues
        ):
            return "supply"  # 支援起業家数: a compound headed by the organisation's act
        return "supply" if best.kind in ("means", "supply") else "demand"
    w = metric.word
    if w.endswith(_SUPPLY_DEFAULT):
        return "supply"
    # People counts, time spent and perceptions are measured on the beneficiary side.
    if w.endswith(_DEMAND_DEFAULT) or w in _DEMAND_DEFAULT_WORDS:
        return "demand"
    if text and _PEOPLE_BEFORE_METRIC.search(text[: metric.start]):
        return "demand"
    return None


def classify_clause(text: str, cues: list[Cue], people_subject: bool = False) -> Clause:
    """The last decisive cue governs the clause (Japanese puts the predicate last)."""
    decisive = [c for c in cues if c.kind in DECISIVE]
    has = {c.kind for c in cues}
    people_subject = people_subject or has_people_subject(text)
    for c in reversed(decisive):
        before = [d for d in cues if d.end <= c.start or (d.start < c.start and d is not c)]
        found = _judge_cue(text, c, cues, before, has, people_subject)
        if found is not None:
            return found
    if people_subject:
        subj = _SUBJECT_RX.search(text)
        if subj:
            cue = Cue(subj.start(), subj.end(), "people", subj.group(0))
            return Clause("outcome", cue, "アウトカム", text)
    things = [c for c in cues if c.kind == "thing"]
    if things:
        return Clause("means", things[-1], "活動", text)
    return Clause("unclear", None, None, text)


def _judge_cue(
    text: str,
    c: Cue,
    cues: list[Cue],
    before: list[Cue],
    has: set[str],
    people_subject: bool,
) -> Clause | None:
    if c.kind == "metric":
        side = metric_side(c, cues, text)
        if side == "supply":
            return Clause("means", c, "アウトプット", text, "supply")
        if side == "demand":
            return Clause("outcome", c, "アウトカム", text, "demand")
        return None
    if c.kind == "means":
        if NEG_AFTER.match(text[c.end :]):
            return Clause("unclear", c, None, text, negated_means=True)
        return Clause("means", c, "活動", text)
    causative = bool(_CAUSATIVE_AFTER.match(text[c.end :]))
    if c.kind == "can":
        if any(d.kind == "benef" for d in before) or (people_subject and not causative):
            return Clause("outcome", c, "アウトカム", text)
        return None
    if c.kind == "avail":
        # 区民は…利用できる: people's state. 使えるようにする: a tool made available is a means.
        if people_subject and not causative:
            return Clause("outcome", c, "アウトカム", text)
        if any(d.kind == "thing" for d in before) or not any(
            d.kind in ("benef", "metric", "demand") for d in before
        ):
            return Clause("means", c, "活動", text)
        return Clause("outcome", c, "アウトカム", text)
    if c.kind == "improve":
        if any(d.kind in ("metric", "demand", "benef", "people") for d in before):
            return Clause("outcome", c, "アウトカム", text)
        return Clause("means", c, "活動", text)
    if c.kind == "inc":
        return _increase(text, c, cues, before)
    if c.kind == "dec":
        paper = [d for d in before if d.kind == "paper"]
        if (
            paper
            and not (has & {"benef", "demand"})
            and c.start - paper[-1].end <= 8
            and ELIMINATE.match(c.word)
        ):
            return Clause("means", c, "活動", text)  # 紙をなくす = ペーパーレス化
        return Clause("outcome", c, "アウトカム", text)
    if c.kind == "impact":
        return Clause("outcome", c, "インパクト", text)
    return Clause("outcome", c, "アウトカム", text)  # eff, people


def _increase(text: str, c: Cue, cues: list[Cue], before: list[Cue]) -> Clause:
    """増やす after a supply metric or a method (オンライン化手続を増やす) counts output."""
    near = [
        d for d in before if d.kind in ("metric", "means", "supply", "demand", "benef", "people")
    ]
    if near:
        last = near[-1]
        side = metric_side(last, cues, text) if last.kind == "metric" else None
        if (
            side == "supply"
            or last.kind == "supply"
            or (last.kind == "means" and side is None and c.start - last.end <= 12)
        ):
            return Clause("means", c, "アウトプット", text, "supply")
    return Clause("outcome", c, "アウトカム", text)
