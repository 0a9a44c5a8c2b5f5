"""Goal checker: means (施策) vs outcome (成果) on the logic model. Public entry: check_goal.

The steps live in their own modules, in the order they run:
text (normalise, sentences) → cues (lexicon words) → clauses (purpose / chain / negation) →
classify (governing cue, whose number) → slots (SMART) → suggest (rewrite) → judge (one sentence).
This module aggregates the sentences of a text (guide: outcome if any sentence states one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .judge import Sentence, judge_sentence
from .slots import SLOT_NAMES, extract_slots
from .text import MAX_GOAL_CHARS, MAX_GOALS, normalize, split_sentences, strip_means_notes

VERDICTS = ("means", "outcome", "unclear")
LEVELS = ("活動", "アウトプット", "アウトカム", "インパクト")

__all__ = [
    "LEVELS",
    "MAX_GOALS",
    "MAX_GOAL_CHARS",
    "SLOT_NAMES",
    "VERDICTS",
    "GoalResult",
    "check_goal",
    "extract_slots",
    "normalize",
]


@dataclass
class GoalResult:
    """Verdict, Japanese reasons, suggested outcome rewrite, logic-model level and SMART slots.

    ``evidence`` (not part of ``to_dict``) lists (level, the user's words) that placed the goal
    on 活動 → アウトプット → アウトカム → インパクト, for the verdict panel.
    """

    verdict: str
    reasons: list[str]
    suggestion: str | None = None
    level: str | None = None
    slots: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(SLOT_NAMES))
    goals: list[GoalResult] = field(default_factory=list)
    text: str = ""
    evidence: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Contract shape; each entry of goals is the same shape plus the sentence text."""
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "suggestion": self.suggestion,
            "level": self.level,
            "slots": dict(self.slots),
            "goals": [{**g.to_dict(), "text": g.text} for g in self.goals],
        }


_EMPTY = "目標が入力されていません。住民や職員に起きる変化を書いてください。"


def _result(s: Sentence) -> GoalResult:
    return GoalResult(
        s.verdict, s.reasons, s.suggestion, s.level, s.slots, text=s.text, evidence=s.evidence
    )


def check_goal(text: str) -> GoalResult:
    """Judge a goal text.

    Several sentences or bullet lines are judged one by one (``goals``). Aggregation follows the
    labelling guide: ``outcome`` if any sentence states an outcome (the means may stay as 施策),
    else ``means`` if any sentence is a means, else ``unclear``. Reasons of each sentence are
    prefixed with its number when there is more than one; the suggestion, level and slots come
    from the deciding sentence (slots missing there are filled from the other sentences).
    """
    norm = normalize(text if isinstance(text, str) else "" if text is None else str(text))
    sentences = split_sentences(strip_means_notes(norm)) if norm else []
    if not sentences:  # empty or only whitespace/control characters
        return GoalResult("unclear", [_EMPTY], text=norm)
    multi = len(sentences) > 1
    goals = [_result(judge_sentence(s, multi)) for s in sentences]
    if multi and all(g.verdict == "unclear" for g in goals):
        goals = [_result(judge_sentence(s, False)) for s in sentences]  # all "background"
    for verdict in ("outcome", "means", "unclear"):
        deciding = [g for g in goals if g.verdict == verdict]
        if deciding:
            break
    main = deciding[-1]
    if multi:
        reasons = []
        for n, g in enumerate(goals, 1):
            if g.verdict == "unclear" and verdict != "unclear" and "背景" in "".join(g.reasons):
                continue  # background sentences would drown the useful reasons
            reasons.extend(f"【{n}文目】{r}" for r in g.reasons)
    else:
        reasons = list(main.reasons)
    slots = dict(main.slots)
    for g in deciding + goals:
        for k in SLOT_NAMES:
            if slots[k] is None and g.slots[k] is not None:
                slots[k] = g.slots[k]
    level = main.level
    if verdict == "outcome" and any(g.level == "インパクト" for g in deciding):
        level = "インパクト"
    evidence = [e for g in goals for e in g.evidence]
    return GoalResult(
        verdict, reasons, main.suggestion, level, slots, goals, text=norm, evidence=evidence
    )
