"""Step 2: find the cue words (lexicon.py) in a sentence: means, outcome, metric, supply/demand."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon as lx
from ._analyzer import Token

# re.ASCII makes \b an ASCII word boundary, so English inside Japanese (kintoneをdeployする)
# still matches; Japanese literals are unaffected.
_FLAGS = re.IGNORECASE | re.ASCII


def alt(words: list[str] | set[str], escape: bool = False) -> str:
    items = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w) if escape else w for w in items)


def rx(words: list[str]) -> re.Pattern[str]:
    return re.compile(alt(words), _FLAGS)


CUE_RX: dict[str, re.Pattern[str]] = {
    "means": rx(lx.MEANS_WORDS),
    "supply": rx(lx.SUPPLY_WORDS),
    "demand": rx(lx.DEMAND_WORDS),
    "benef": re.compile(alt(lx.BENEFICIARY_WORDS, escape=True), _FLAGS),
    "dec": rx(lx.OUT_DEC_WORDS + lx.BURDEN_NEG_WORDS),
    "inc": rx(lx.OUT_INC_WORDS),
    "improve": rx(lx.IMPROVE_WORDS),
    "eff": rx(lx.OUT_EFF_WORDS),
    "people": rx(lx.PEOPLE_WORDS),
    "impact": rx(lx.IMPACT_WORDS),
    "thing": rx(lx.THING_WORDS),
    "avail": rx(lx.AVAIL_WORDS),
    "can": rx(lx.CAN_WORDS),
    "paper": rx(lx.PAPER_WORDS),
    "metric": rx(lx.METRIC_WORDS),
}
VERB_KIND = {
    **{v: "means" for v in lx.MEANS_VERBS},
    **{v: "dec" for v in lx.OUT_DEC_VERBS},
    **{v: "inc" for v in lx.OUT_INC_VERBS},
    **{v: "people" for v in lx.PEOPLE_VERBS},
}
# Cue kinds that can decide a clause, and those that only describe a metric or an object.
DECISIVE = {"can", "avail", "means", "dec", "inc", "improve", "eff", "people", "impact", "metric"}
OUTCOME_KINDS = {"dec", "inc", "eff", "people", "impact"}
ELIMINATE = re.compile(alt(lx.ELIMINATE_WORDS))
NEG_AFTER = re.compile(r"^(?:[さしせれわらかけめえ])?(?:ない|ず|ません|なかっ|ぬ)")


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    kind: str
    word: str

    def shifted(self, offset: int) -> Cue:
        return Cue(self.start - offset, self.end - offset, self.kind, self.word)


def find_cues(text: str, tokens: list[Token]) -> list[Cue]:
    """All cues of the sentence, ordered by where they end (the governing one ends last)."""
    cues = [
        Cue(m.start(), m.end(), kind, m.group(0))
        for kind, pattern in CUE_RX.items()
        for m in pattern.finditer(text)
        if m.end() > m.start()
    ]
    for i, t in enumerate(tokens):
        kind = VERB_KIND.get(t.lemma) or VERB_KIND.get(t.norm)
        if t.pos not in ("動詞", "形容詞"):
            kind = None
        if t.lemma in lx.BURDEN_VERBS or t.norm in lx.BURDEN_VERBS:
            # 待たない・来なくて済む: a negated burden verb is a relief for people.
            nxt = [u.lemma for u in tokens[i + 1 : i + 3]]
            if "ない" in nxt or "ず" in nxt or "ぬ" in nxt:
                last = tokens[min(i + 2, len(tokens) - 1)]
                cues.append(Cue(t.start, last.end, "people", text[t.start : last.end]))
                continue
        if kind:
            cues.append(Cue(t.start, t.end, kind, t.surface))
    return sorted(cues, key=lambda c: (c.end, c.end - c.start))
