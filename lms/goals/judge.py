"""Judge one sentence: not-a-goal checks, clauses, the governing clause, reasons and rewrite."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from . import lexicon as lx
from ._analyzer import tokenize
from .classify import Clause, classify_clause, has_people_subject, topic_subject
from .clauses import split_clauses
from .cues import find_cues
from .slots import extract_slots
from .suggest import means_rewrite, outcome_rewrite, phrase

_LABEL_PREFIX = re.compile(
    r"^\s*(?:[\[【(]?(?:目標|ゴール|KPI|KGI|成果指標|指標|目的|goal|objective|target)[\]】)]?"
    r"\s*(?:\d+)?\s*[:：=]\s*)",
    re.IGNORECASE,
)
_GOAL_MARKER = re.compile(
    r"目標(?:は|とする|とします|に(?:する|します|置く|掲げ))|ゴールは|目指す姿|"
    r"目指します|目指す[。]?$|\bour goal\b|\bthe goal is\b",
    re.IGNORECASE,
)
_BACKGROUND_END = re.compile(
    r"(?:た|ていた|ている|であった|である|ところである|いる|ある|多い|少ない|状況だ|状態だ)[。．.]?$"
)
_QUESTION = re.compile(r"(?:[?？]|(?:です|ます|でしょう|だろう)か[。]?|\?)\s*$")
_LETTER = re.compile(r"[A-Za-z\u3041-\u309f\u30a1-\u30ff\u4e00-\u9fff\u3400-\u4dbf々〆]")
_PLACEHOLDER = {unicodedata.normalize("NFKC", p).lower() for p in lx.PLACEHOLDERS}


@dataclass
class Sentence:
    """One judged sentence; ``evidence`` lists (logic-model level, the user's words) found."""

    verdict: str
    reasons: list[str]
    suggestion: str | None
    level: str | None
    slots: dict[str, str | None]
    text: str
    evidence: list[tuple[str, str]] = field(default_factory=list)


def _not_a_goal(sentence: str, body: str, multi: bool) -> str | None:
    """Guide step 1: empty, symbols, placeholders, questions; background in a paragraph."""
    quoted = sentence if len(sentence) <= 30 else sentence[:28] + "…"
    if not body or len(_LETTER.findall(body)) < 2:
        return (
            f"『{quoted}』からは目標として読み取れる言葉が見つかりません。"
            "誰の何がどう変わるかを書いてください。"
        )
    if body.strip(" 。.").lower() in _PLACEHOLDER:
        return (
            f"『{quoted}』はまだ目標が決まっていない書き方です。"
            "住民や職員に起きる変化を目標として書いてください。"
        )
    if _QUESTION.search(body):
        return (
            f"『{quoted}』は問いかけの形です。目標は「〜を〜にする」のように"
            "言い切りで書いてください。"
        )
    if multi and not _GOAL_MARKER.search(body) and _BACKGROUND_END.search(body):
        # In a paragraph, sentences describing the present situation are background, not goals.
        return f"『{quoted}』は現状や背景の説明として扱いました。"
    return None


def _clauses(body: str) -> tuple[list[Clause], list[Clause], list[Clause]]:
    """Main, purpose and negated clauses, each classified by its governing cue."""
    tokens = tokenize(body)
    all_cues = find_cues(body, tokens)
    # 区民は、…利用できる: a topic beneficiary at the start is the subject of every clause.
    topic = has_people_subject(body[:16])
    out: dict[str, list[Clause]] = {"main": [], "purpose": [], "negated": []}
    for a, b, kind in split_clauses(body, tokens):
        seg = [c.shifted(a) for c in all_cues if c.start >= a and c.end <= b]
        out[kind].append(classify_clause(body[a:b], seg, people_subject=topic))
    if all(c.cue is None for c in out["main"]):
        # Only a purpose was written (住民の利便性向上のために / 〜の増進を目的とする):
        # it is the goal.
        out["main"], out["purpose"] = out["purpose"] + out["main"], []
    return out["main"], out["purpose"], out["negated"]


def _governing(clauses: list[Clause]) -> Clause | None:
    """Guide step 2: in a chain the last decided clause governs (手段、そして成果 → 成果)."""
    decided = [c for c in clauses if c.verdict in ("means", "outcome")]
    if not decided:
        return None
    last = decided[-1]
    if last.verdict == "means" and any(c.verdict == "outcome" for c in decided):
        # 〜を増やし、〜に注力する: a stated change for people before a closing activity
        # still makes the text an outcome goal (the guide's compound 手段＋成果).
        return [c for c in decided if c.verdict == "outcome"][-1]
    return last


def _evidence(clauses: list[Clause]) -> list[tuple[str, str]]:
    return [(c.level, phrase(c.text, c.cue)) for c in clauses if c.level and c.cue is not None]


def _missing(slots: dict[str, str | None]) -> list[str]:
    names = (("指標", "metric"), ("目標値", "target"), ("期限", "deadline"))
    return [name for name, key in names if not slots[key]]


def _deadline(slots: dict[str, str | None]) -> str:
    d = re.sub(r"(?:中|内)?\s*(?:まで(?:に)?)?$", "", slots["deadline"] or "")
    return d or "〔2026年度末〕"


def _outcome(
    sentence: str, slots: dict[str, str | None], clauses: list[Clause], negated: list[Clause]
) -> Sentence:
    outcomes = [c for c in clauses if c.verdict == "outcome"]
    means = [c for c in clauses if c.verdict == "means"]
    gov = outcomes[-1]
    level = "インパクト" if any(c.level == "インパクト" for c in outcomes) else "アウトカム"
    word = phrase(gov.text, gov.cue)
    if gov.metric_side == "demand":
        reason = (
            f"『{word}』は住民・職員の側で測る指標（利用・行動・時間・負担・満足など）なので、"
            "成果（アウトカム）の目標です。"
        )
    elif level == "インパクト":
        reason = (
            f"『{word}』は住民の暮らしやまちの姿を表すビジョン（インパクト）です。"
            "測れる中間目標（アウトカム）も添えると進み具合が分かります。"
        )
    else:
        reason = (
            f"『{word}』は住民や職員に起きる変化を表しているので、成果（アウトカム）の目標です。"
        )
    reasons = [reason]
    for m in means:
        if m.cue is not None:
            reasons.append(
                f"『{phrase(m.text, m.cue)}』は手段なので「施策」の欄に書き、目標は"
                "変化の側に置きましょう。"
            )
    if negated:
        reasons.append("「〜ではなく」の前の部分は目標から外して判定しました。")
    missing = _missing(slots)
    if missing:
        reasons.append(
            f"{'・'.join(missing)}が書かれていません。加えるとSMARTな目標になります"
            "（例：〔2026年度末〕までに〔現状値〕から〔目標値〕へ）。"
        )
    suggestion = None
    if missing or means:
        subject = topic_subject(_LABEL_PREFIX.sub("", sentence).strip())
        suggestion = outcome_rewrite(gov, slots, _deadline(slots), means, subject)
    return Sentence("outcome", reasons, suggestion, level, slots, sentence, _evidence(clauses))


def _means(
    sentence: str, slots: dict[str, str | None], clauses: list[Clause], purposes: list[Clause]
) -> Sentence:
    gov = [c for c in clauses if c.verdict == "means"][-1]
    assert gov.cue is not None
    word = phrase(gov.text, gov.cue)
    if gov.metric_side == "supply":
        level = "アウトプット"
        reasons = [
            f"『{word}』は市役所側の取組量を測るアウトプット指標です。数値や期限があっても、"
            "手段がどこまで進んだかを示すだけで、住民や職員が良くなったかは分かりません。"
            "利用率・利用件数・来庁回数・作業時間など、受け手の側の指標を目標にしましょう。"
        ]
    else:
        level = "アウトプット" if slots["target"] or gov.cue.word in ("完了", "完成") else "活動"
        reasons = [
            f"『{word}』は手段（{level}）です。実施した時点で達成されてしまうため、目標には"
            "住民や職員に起きる変化（時間・手間・回数・満足度など）を書きましょう。"
        ]
    if purposes:
        purpose_out = any(p.verdict == "outcome" for p in purposes)
        reasons.append(
            "「〜ため」「〜よう」「〜に向けて」の部分は目的なので判定から外しました。"
            + ("目的に書かれた変化のほうを目標にしましょう。" if purpose_out else "")
        )
    suggestion = means_rewrite(gov, purposes, slots, _deadline(slots))
    evidence = _evidence(clauses + purposes)
    return Sentence("means", reasons, suggestion, level, slots, sentence, evidence)


def _unclear(sentence: str, slots: dict[str, str | None], reason: str) -> Sentence:
    return Sentence("unclear", [reason], None, None, slots, sentence)


def judge_sentence(sentence: str, multi: bool) -> Sentence:
    """Verdict of one sentence with reasons naming the deciding words."""
    slots = extract_slots(sentence)
    body = _LABEL_PREFIX.sub("", sentence).strip()
    refusal = _not_a_goal(sentence, body, multi)
    if refusal:
        return _unclear(sentence, slots, refusal)
    clauses, purposes, negated = _clauses(body)
    gov = _governing(clauses)
    if gov is not None and gov.verdict == "outcome":
        return _outcome(sentence, slots, clauses, negated)
    if gov is not None:
        return _means(sentence, slots, clauses, purposes)
    quoted = sentence if len(sentence) <= 30 else sentence[:28] + "…"
    if negated or any(c.negated_means for c in clauses):
        return _unclear(
            sentence,
            slots,
            f"『{quoted}』は「しないこと」だけが書かれていて、目標（何が良くなるか）が"
            "読み取れません。",
        )
    return _unclear(
        sentence,
        slots,
        f"『{quoted}』からは、手段（導入・実施など）も成果（削減・向上・短縮など）も"
        "読み取れませんでした。誰の何をどう変えるかを書いてください。",
    )
