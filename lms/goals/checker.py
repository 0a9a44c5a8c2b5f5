"""Rule-based goal checker: means (施策) vs outcome (成果) on the logic model."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from . import lexicon as lx
from ._analyzer import Token, tokenize

MAX_GOAL_CHARS = 2000
MAX_GOALS = 20  # sentences judged per text; bounds latency on pasted documents

VERDICTS = ("means", "outcome", "unclear")
LEVELS = ("活動", "アウトプット", "アウトカム", "インパクト")
SLOT_NAMES = ("beneficiary", "metric", "target", "deadline", "baseline")

# ---------------------------------------------------------------- regexes


def _alt(words: list[str] | set[str], escape: bool = False) -> str:
    items = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w) if escape else w for w in items)


def _rx(words: list[str]) -> re.Pattern[str]:
    return re.compile(_alt(words), re.IGNORECASE)


_CUE_RX: dict[str, re.Pattern[str]] = {
    "means": _rx(lx.MEANS_WORDS),
    "supply": _rx(lx.SUPPLY_WORDS),
    "demand": _rx(lx.DEMAND_WORDS),
    "benef": re.compile(_alt(lx.BENEFICIARY_WORDS, escape=True), re.IGNORECASE),
    "dec": _rx(lx.OUT_DEC_WORDS + lx.BURDEN_NEG_WORDS),
    "inc": _rx(lx.OUT_INC_WORDS),
    "improve": _rx(lx.IMPROVE_WORDS),
    "eff": _rx(lx.OUT_EFF_WORDS),
    "people": _rx(lx.PEOPLE_WORDS),
    "impact": _rx(lx.IMPACT_WORDS),
    "thing": _rx(lx.THING_WORDS),
    "avail": _rx(lx.AVAIL_WORDS),
    "can": _rx(lx.CAN_WORDS),
    "paper": _rx(lx.PAPER_WORDS),
    "metric": _rx(lx.METRIC_WORDS),
}
_VERB_KIND = {
    **{v: "means" for v in lx.MEANS_VERBS},
    **{v: "dec" for v in lx.OUT_DEC_VERBS},
    **{v: "inc" for v in lx.OUT_INC_VERBS},
    **{v: "people" for v in lx.PEOPLE_VERBS},
}
# Cue kinds that can decide a clause, and those that only describe a metric or an object.
_DECISIVE = {"can", "avail", "means", "dec", "inc", "improve", "eff", "people", "impact", "metric"}
_OUTCOME_KINDS = {"dec", "inc", "eff", "people", "impact"}

_ELIMINATE = re.compile(_alt(lx.ELIMINATE_WORDS))
_NEG_AFTER = re.compile(r"^(?:[さしせれわらかけめえ])?(?:ない|ず|ません|なかっ|ぬ)")
_PURPOSE_RX = re.compile(
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
_BENEF_BEFORE = re.compile(f"(?:{_alt(lx.BENEFICIARY_WORDS, escape=True)}|人|方|皆|みんな)の$")
_LOCAL_PURPOSE_RX = re.compile(r"ための|に向けた|を目指した|\bfor the purpose of\b")
_CHAIN_RX = re.compile(r"(?:ことにより|ことによって|により|によって|ことで|の結果)[、,]?")
_NEGATED_RX = re.compile(r"(?:の)?(?:では|じゃ|で)なく(?:て)?[、,]?|\brather than\b|\binstead of\b")
_GOAL_MARKER = re.compile(
    r"目標(?:は|とする|とします|に(?:する|します|置く|掲げ))|ゴールは|目指す姿|"
    r"目指します|目指す[。]?$|\bour goal\b|\bthe goal is\b",
    re.IGNORECASE,
)
_LABEL_PREFIX = re.compile(
    r"^\s*(?:[\[【(]?(?:目標|ゴール|KPI|KGI|成果指標|指標|目的|goal|objective|target)[\]】)]?"
    r"\s*(?:\d+)?\s*[:：=]\s*)",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[・●○◆◇■□▪▶►\-*+•]|\d{1,2}[.)．、]|[①-⑳]|\(\d{1,2}\))\s*")
_SENT_SPLIT = re.compile(r"(?<=[。！？!?])|\n+")
_QUESTION = re.compile(r"(?:[?？]|(?:です|ます|でしょう|だろう)か[。]?|\?)\s*$")
_LETTER = re.compile(r"[A-Za-z\u3041-\u309f\u30a1-\u30ff\u4e00-\u9fff\u3400-\u4dbf々〆]")
_JAPANESE = re.compile(r"[\u3041-\u309f\u30a1-\u30ff\u4e00-\u9fff々]")
_TRAIL = re.compile(
    r"(?:[。．.！!、,\s]|こととする|こととします|ことを目指す|ことを目指します|を目指します|を目指す|"
    r"ことが目標|ことを目標とする|することとする|したいと考えています|したい|します|いたします|"
    r"ます|です|である|ものとする|こと)+$"
)

# Slots. Deadlines first so their digits are not read as targets.
_DEADLINE_RX = re.compile(
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
_DEADLINE_STRIP = re.compile(f"(?:{_DEADLINE_RX.pattern})(?:中|内)?(?:に|で)?\\s*", re.IGNORECASE)
_PURPOSE_TAIL = re.compile(
    r"(?:の)?(?:ため(?:に|の|には)?|よう(?:に)?|に向け(?:て|た)?|を目指し(?:て|た)?|べく|を目的(?:に|と)"
    r"(?:し(?:て)?)?)[、,\s]*$"
)
_BENEF_SLOT_RX = re.compile(_alt(lx.BENEFICIARY_WORDS, escape=True), re.IGNORECASE)
_PLACEHOLDER = {unicodedata.normalize("NFKC", p).lower() for p in lx.PLACEHOLDERS}

# Domains for the rewrite template: resident-facing channels, internal tools, training.
_DOMAIN_RESIDENT = re.compile(
    r"申請|手続|窓口|届出|予約|納付|証明|投票|キャッシュレス|オンライン|"
    r"マイナ|LINE|アプリ|ホームページ|相談|application|procedure",
    re.IGNORECASE,
)
_DOMAIN_TRAINING = re.compile(r"研修|講習|人材|育成|セミナー|受講|training", re.IGNORECASE)


# ---------------------------------------------------------------- data classes


@dataclass
class GoalResult:
    """Verdict, Japanese reasons, suggested outcome rewrite, logic-model level and SMART slots."""

    verdict: str
    reasons: list[str]
    suggestion: str | None = None
    level: str | None = None
    slots: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(SLOT_NAMES))
    goals: list[GoalResult] = field(default_factory=list)
    text: str = ""

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


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    kind: str
    word: str


@dataclass
class _Clause:
    verdict: str  # means / outcome / unclear
    cue: _Cue | None
    level: str | None
    text: str
    metric_side: str | None = None  # supply / demand when a metric decided
    negated_means: bool = False


# ---------------------------------------------------------------- normalisation


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


def _split_sentences(text: str) -> list[str]:
    parts = []
    for piece in _SENT_SPLIT.split(text):
        piece = _BULLET.sub("", piece or "").strip()
        if piece:
            parts.append(piece)
    return parts[-MAX_GOALS:]


# ---------------------------------------------------------------- cues and clauses


def _find_cues(text: str, tokens: list[Token]) -> list[_Cue]:
    cues = [
        _Cue(m.start(), m.end(), kind, m.group(0))
        for kind, rx in _CUE_RX.items()
        for m in rx.finditer(text)
        if m.end() > m.start()
    ]
    for i, t in enumerate(tokens):
        kind = _VERB_KIND.get(t.lemma) or _VERB_KIND.get(t.norm)
        if t.pos not in ("動詞", "形容詞"):
            kind = None
        if t.lemma in lx.BURDEN_VERBS or t.norm in lx.BURDEN_VERBS:
            # 待たない・来なくて済む: a negated burden verb is a relief for people.
            nxt = [u.lemma for u in tokens[i + 1 : i + 3]]
            if "ない" in nxt or "ず" in nxt or "ぬ" in nxt:
                cues.append(
                    _Cue(
                        t.start,
                        tokens[min(i + 2, len(tokens) - 1)].end,
                        "people",
                        text[t.start : tokens[min(i + 2, len(tokens) - 1)].end],
                    )
                )
                continue
        if kind:
            cues.append(_Cue(t.start, t.end, kind, t.surface))
    # Paper and stamps being removed: a method, not an outcome (guide step 6).
    return sorted(cues, key=lambda c: (c.end, c.end - c.start))


def _split_clauses(text: str, tokens: list[Token]) -> list[tuple[int, int, str]]:
    """Return (start, end, kind) spans; kind is main, purpose or negated."""
    bounds: list[tuple[int, str, bool]] = []  # (pos, kind of span before, scope is whole prefix)
    for m in _PURPOSE_RX.finditer(text):
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
    m = _EN_PURPOSE_RX.search(text)
    if m and m.start() > 0:  # English states the purpose after the main clause
        bounds.append((m.start(), "main", False))
        bounds.append((len(text), "purpose", False))
    bounds.sort(key=lambda b: (b[0], b[1] == "main"))  # at one position purpose wins
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


def _metric_side(metric: _Cue, cues: list[_Cue]) -> str | None:
    """Whose number is it? The closest describing word before the metric head decides."""
    best: _Cue | None = None
    for c in cues:
        if c is metric or c.kind not in ("means", "supply", "demand", "benef"):
            continue
        if c.start < metric.start or (c.start == metric.start and c.end < metric.end):
            if c.end <= metric.end and metric.start - c.end <= 40:
                if best is None or (c.end, c.kind == "supply", c.end - c.start) > (
                    best.end,
                    best.kind == "supply",
                    best.end - best.start,
                ):
                    best = c
    if best is None:
        w = metric.word
        # People counts and time spent are measured on the beneficiary side by default.
        if w.endswith(("者数", "人数", "時間", "日数", "期間", "回数")) or w in ("満足度",):
            return "demand"
        return None
    return "supply" if best.kind in ("means", "supply") else "demand"


def _classify_clause(text: str, cues: list[_Cue]) -> _Clause:
    decisive = [c for c in cues if c.kind in _DECISIVE]
    has = {c.kind for c in cues}
    i = len(decisive) - 1
    while i >= 0:
        c = decisive[i]
        before = [d for d in cues if d.end <= c.start or (d.start < c.start and d is not c)]
        if c.kind == "metric":
            side = _metric_side(c, cues)
            if side == "supply":
                return _Clause("means", c, "アウトプット", text, "supply")
            if side == "demand":
                return _Clause("outcome", c, "アウトカム", text, "demand")
            i -= 1
            continue
        if c.kind == "means":
            negated = bool(_NEG_AFTER.match(text[c.end :]))
            if negated:
                return _Clause("unclear", c, None, text, negated_means=True)
            return _Clause("means", c, "活動", text)
        if c.kind == "can":
            if any(d.kind == "benef" for d in before):
                return _Clause("outcome", c, "アウトカム", text)
            i -= 1
            continue
        if c.kind == "avail":
            # 使えるようにする: a tool made available is a means; people's time made usable is not.
            if any(d.kind == "thing" for d in before) or not any(
                d.kind in ("benef", "metric", "demand") for d in before
            ):
                return _Clause("means", c, "活動", text)
            return _Clause("outcome", c, "アウトカム", text)
        if c.kind == "improve":
            rel = [d for d in before if d.kind in ("metric", "demand", "benef", "people")]
            if rel:
                return _Clause("outcome", c, "アウトカム", text)
            return _Clause("means", c, "活動", text)
        if c.kind == "inc":
            # 増やす after a supply metric or a method (オンライン化手続を増やす) counts output.
            near = [
                d
                for d in before
                if d.kind in ("metric", "means", "supply", "demand", "benef", "people")
            ]
            if near:
                last = near[-1]
                side = _metric_side(last, cues) if last.kind == "metric" else None
                if (
                    side == "supply"
                    or last.kind == "supply"
                    or (last.kind == "means" and side is None and c.start - last.end <= 12)
                ):
                    return _Clause("means", c, "アウトプット", text, "supply")
            return _Clause("outcome", c, "アウトカム", text)
        if c.kind == "dec":
            paper = [d for d in before if d.kind == "paper"]
            if (
                paper
                and not (has & {"benef", "demand"})
                and c.start - paper[-1].end <= 8
                and _ELIMINATE.match(c.word)
            ):
                return _Clause("means", c, "活動", text)  # 紙をなくす = ペーパーレス化
            return _Clause("outcome", c, "アウトカム", text)
        if c.kind == "impact":
            return _Clause("outcome", c, "インパクト", text)
        return _Clause("outcome", c, "アウトカム", text)  # eff, people
    things = [c for c in cues if c.kind == "thing"]
    if things:
        return _Clause("means", things[-1], "活動", text)
    return _Clause("unclear", None, None, text)


# ---------------------------------------------------------------- slots


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
    deadline = _first(_DEADLINE_RX, text)
    baseline = _first(_BASELINE_RX, text)
    masked = _mask(_mask(text, _DEADLINE_RX), _BASELINE_RX)
    target = _first(_TARGET_RX, masked, limit=2)
    metric = None
    for m in _METRIC_SLOT_RX.finditer(_mask(text, _DEADLINE_RX)):
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


# ---------------------------------------------------------------- sentence judgement


def _phrase(text: str, cue: _Cue | None, width: int = 24) -> str:
    """The user's words around a cue, for quoting in reasons (『電子申請をする』)."""
    if cue is None:
        return _strip_deadline(text[:width])
    start = 0
    if cue.start > width:
        # Start the quote after a comma or topic particle near the cue, never inside a word.
        window = text[cue.start - width : cue.start]
        cut = max(window.rfind("、"), window.rfind(","), window.rfind("は"), window.rfind(" "))
        start = cue.start - width + cut + 1 if cut >= 0 else cue.start
    end = cue.end
    if cue.kind in ("means", "thing", "avail"):
        # Keep the verb ending of the user's predicate: 『電子申請をする』『RPAを導入する』.
        rest = re.match(
            r"(?:を)?(?:する|します|した|しない|を行う|を進める)|[ぁ-ん]{0,3}", text[end:]
        )
        if rest:
            end += len(rest.group(0))
    quote = _strip_deadline(_TRAIL.sub("", text[start:end]).strip(" 、,"))
    return quote or cue.word


def _means_object(text: str, cue: _Cue) -> str:
    """Noun phrase the means acts on (「RPAを導入する」→ RPA), else the method noun itself."""
    before = _DEADLINE_STRIP.sub("", text[: cue.start])
    before = re.sub(
        r"の?(?:約)?\d[\d,.]*\s*(?:%|割|件|人|団体|箇所|か所|業務|手続き?)?", "", before
    )
    m = re.search(r"([^\s、,。をがはにで]{1,20})を\s*$", before)
    if m:
        return _strip_deadline(m.group(1))
    if cue.word.endswith("化") or cue.kind == "thing":
        m = re.search(r"([^\s、,。をがはにで]{0,12})$", before)
        head = _strip_deadline(m.group(1) if m else "")
        return f"{head}{cue.word}" if cue.kind == "thing" or not head else f"{head}の{cue.word}"
    return ""


def _strip_deadline(s: str) -> str:
    s = _DEADLINE_STRIP.sub("", s)
    s = re.sub(r"^(?:の|に|、|,|\s)+", "", s)
    return s.strip() or s


def _core(text: str) -> str:
    """The clause without deadline and sentence-final fluff, for the rewrite."""
    s = _DEADLINE_STRIP.sub("", text)
    s = _PURPOSE_TAIL.sub("", s)
    s = re.sub(r"^[\s、,]+", "", s)
    s = _TRAIL.sub("", s).strip(" 、,")
    return s


def _means_label(obj: str, cue: _Cue) -> str:
    """施策 label from the user's words: RPAの導入, 行政手続のオンライン化, 電子申請の導入."""
    w = cue.word
    if not obj:
        return w if w.endswith("化") else f"{w}の導入" if cue.kind == "thing" else w
    if obj.endswith(w) or cue.kind == "thing":
        return obj if obj.endswith(("化", "の導入")) else f"{obj}の導入"
    if w.endswith("化"):
        return f"{obj}の{w}"
    if re.fullmatch(r"[\u4e00-\u9fff]{2}", w):
        return f"{obj}の{w}"
    return f"{obj}の導入"


def _judge(sentence: str, multi: bool) -> GoalResult:
    slots = extract_slots(sentence)
    body = _LABEL_PREFIX.sub("", sentence).strip()
    quoted = sentence if len(sentence) <= 30 else sentence[:28] + "…"
    if not body or len(_LETTER.findall(body)) < 2:
        return GoalResult(
            "unclear",
            [
                f"『{quoted}』からは目標として読み取れる言葉が見つかりません。"
                "誰の何がどう変わるかを書いてください。"
            ],
            None,
            None,
            slots,
            text=sentence,
        )
    if body.strip(" 。.").lower() in _PLACEHOLDER:
        return GoalResult(
            "unclear",
            [
                f"『{quoted}』はまだ目標が決まっていない書き方です。"
                "住民や職員に起きる変化を目標として書いてください。"
            ],
            None,
            None,
            slots,
            text=sentence,
        )
    if _QUESTION.search(body):
        return GoalResult(
            "unclear",
            [
                f"『{quoted}』は問いかけの形です。目標は「〜を〜にする」のように"
                "言い切りで書いてください。"
            ],
            None,
            None,
            slots,
            text=sentence,
        )
    if (
        multi
        and not _GOAL_MARKER.search(body)
        and re.search(
            r"(?:た|ていた|ている|であった|である|ところである|いる|ある|多い|少ない|状況だ|状態だ)[。．.]?$",
            body,
        )
    ):
        # In a paragraph, sentences describing the present situation are background, not goals.
        return GoalResult(
            "unclear",
            [f"『{quoted}』は現状や背景の説明として扱いました。"],
            None,
            None,
            slots,
            text=sentence,
        )

    tokens = tokenize(body)
    spans = _split_clauses(body, tokens)
    all_cues = _find_cues(body, tokens)
    clauses: list[_Clause] = []
    purposes: list[_Clause] = []
    negated: list[_Clause] = []
    for a, b, kind in spans:
        seg_cues = [
            _Cue(c.start - a, c.end - a, c.kind, c.word)
            for c in all_cues
            if c.start >= a and c.end <= b
        ]
        cl = _classify_clause(body[a:b], seg_cues)
        {"main": clauses, "purpose": purposes, "negated": negated}[kind].append(cl)
    if not clauses:  # only a purpose clause was written (住民の利便性向上のために)
        clauses, purposes = purposes, []

    outcomes = [c for c in clauses if c.verdict == "outcome"]
    means = [c for c in clauses if c.verdict == "means"]
    reasons: list[str] = []
    suggestion: str | None = None
    missing = [
        name
        for name, key in (("指標", "metric"), ("目標値", "target"), ("期限", "deadline"))
        if not slots[key]
    ]
    deadline = re.sub(r"(?:中|内)?\s*(?:まで(?:に)?)?$", "", slots["deadline"] or "")
    deadline = deadline or "〔2026年度末〕"
    benef = slots["beneficiary"]

    if outcomes:
        verdict = "outcome"
        gov = outcomes[-1]
        level = "インパクト" if any(c.level == "インパクト" for c in outcomes) else "アウトカム"
        word = _phrase(gov.text, gov.cue)
        if gov.metric_side == "demand":
            reasons.append(
                f"『{word}』は住民・職員の側で測る指標（利用・時間・負担・満足など）なので、"
                "成果（アウトカム）の目標です。"
            )
        elif level == "インパクト":
            reasons.append(
                f"『{word}』は住民の暮らしやまちの姿を表すビジョン（インパクト）です。"
                "測れる中間目標（アウトカム）も添えると進み具合が分かります。"
            )
        else:
            reasons.append(
                f"『{word}』は住民や職員に起きる変化を表しているので、成果（アウトカム）の"
                "目標です。"
            )
        for m in means:
            if m.cue is not None:
                reasons.append(
                    f"『{_phrase(m.text, m.cue)}』は手段なので「施策」の欄に書き、目標は"
                    "変化の側に置きましょう。"
                )
        if negated:
            reasons.append("「〜ではなく」の前の部分は目標から外して判定しました。")
        if missing:
            reasons.append(
                f"{'・'.join(missing)}が書かれていません。加えるとSMARTな目標になります"
                "（例：〔2026年度末〕までに〔現状値〕から〔目標値〕へ）。"
            )
        if missing or means:
            core = _core(gov.text)
            parts = [
                f"指標：{slots['metric'] or '〔指標〕'}",
                f"現状値：{slots['baseline'] or '〔現状値〕'}",
                f"目標値：{slots['target'] or '〔目標値〕'}",
            ]
            suggestion = f"{deadline}までに、{core}（{'、'.join(parts)}）"
            if means and means[0].cue is not None:
                suggestion += f"［施策：{_core(_phrase(means[0].text, means[0].cue))}］"
    elif means:
        verdict = "means"
        gov = means[-1]
        cue = gov.cue
        assert cue is not None
        word = _phrase(gov.text, cue)
        if gov.metric_side == "supply":
            level = "アウトプット"
            reasons.append(
                f"『{word}』は市役所側の取組量を測るアウトプット指標です。数値や期限があっても、"
                "手段がどこまで進んだかを示すだけで、住民や職員が良くなったかは分かりません。"
                "利用率・利用件数・来庁回数・作業時間など、受け手の側の指標を目標にしましょう。"
            )
        else:
            level = "アウトプット" if slots["target"] or cue.word in ("完了", "完成") else "活動"
            reasons.append(
                f"『{word}』は手段（{level}）です。実施した時点で達成されてしまうため、目標には"
                "住民や職員に起きる変化（時間・手間・回数・満足度など）を書きましょう。"
            )
        purpose_out = [p for p in purposes if p.verdict == "outcome"]
        if purposes:
            reasons.append(
                "「〜ため」「〜よう」「〜に向けて」の部分は目的なので判定から外しました。"
                + ("目的に書かれた変化のほうを目標にしましょう。" if purpose_out else "")
            )
        obj = _means_object(gov.text, cue) if cue.kind != "metric" else ""
        if cue.kind == "metric" or not obj:
            obj = _core(gov.text)
        label = _means_label(obj, cue) if cue.kind != "metric" else obj
        if purpose_out:
            goal = _core(purpose_out[-1].text)
            suggestion = (
                f"{deadline}までに、{goal}（指標：{slots['metric'] or '〔例：時間・件数・割合〕'}、"
                f"現状値：〔現状値〕、目標値：〔目標値〕）［施策：{label}］"
            )
        elif _DOMAIN_TRAINING.search(gov.text):
            suggestion = (
                f"{deadline}までに、研修を受けた{benef or '職員'}のうち〔学んだ手法で業務を"
                f"改善した〕人の割合を〔△〕%にする［施策：{label}］"
            )
        elif _DOMAIN_RESIDENT.search(gov.text):
            suggestion = (
                f"{label}により、{deadline}までに〔対象手続〕の申請にかかる{benef or '住民'}"
                f"の手間（来庁回数・待ち時間）を〔△〕割減らす"
            )
        else:
            suggestion = (
                f"{label}により、{deadline}までに〔対象業務〕にかかる{benef or '職員'}の"
                f"作業時間を〔現状値〕から〔△〕割減らす"
            )
    else:
        verdict = "unclear"
        level = None
        if negated or any(c.negated_means for c in clauses):
            reasons.append(
                f"『{quoted}』は「しないこと」だけが書かれていて、目標（何が良くなるか）が"
                "読み取れません。"
            )
        else:
            reasons.append(
                f"『{quoted}』からは、手段（導入・実施など）も成果（削減・向上・短縮など）も"
                "読み取れませんでした。誰の何をどう変えるかを書いてください。"
            )
    return GoalResult(verdict, reasons, suggestion, level, slots, text=sentence)


# ---------------------------------------------------------------- public API


def check_goal(text: str) -> GoalResult:
    """Judge a goal text.

    Several sentences or bullet lines are judged one by one (``goals``). Aggregation follows the
    labelling guide: ``outcome`` if any sentence states an outcome (the means may stay as 施策),
    else ``means`` if any sentence is a means, else ``unclear``. Reasons of each sentence are
    prefixed with its number when there is more than one; the suggestion, level and slots come
    from the deciding sentence (slots missing there are filled from the other sentences).
    """
    norm = normalize(text if isinstance(text, str) else "" if text is None else str(text))
    if not norm:  # empty or only whitespace/control characters
        return GoalResult(
            "unclear", ["目標が入力されていません。住民や職員に起きる変化を書いてください。"]
        )
    sentences = _split_sentences(norm)
    multi = len(sentences) > 1
    goals = [_judge(s, multi) for s in sentences]
    if multi and all(g.verdict == "unclear" for g in goals):
        goals = [_judge(s, False) for s in sentences]  # all "background": judge them anyway
    if not goals:
        return GoalResult(
            "unclear", ["目標が入力されていません。住民や職員に起きる変化を書いてください。"]
        )
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
    return GoalResult(verdict, reasons, main.suggestion, level, slots, goals, text=norm)
