"""Step 6: words for reasons and rewrites, built from the user's own words.

Every rewrite is an outcome goal: a change for residents or staff, with the slots the user must
fill marked 〔…〕, and the user's means kept as a 「（施策：…）」 note. The checker ignores such
notes, so a rewrite fed back into it is judged on its goal alone (tests/goals: property test).
"""

from __future__ import annotations

import re

from . import lexicon as lx
from ._analyzer import tokenize
from .classify import Clause
from .cues import Cue, alt
from .slots import DEADLINE_STRIP

_PURPOSE_TAIL = re.compile(
    r"(?:の)?(?:ため(?:に|の|には)?|よう(?:に)?|に向け(?:て|た)?|を目指し(?:て|た)?|べく|を目的(?:に|と)"
    r"(?:し(?:て)?)?)[、,\s]*$"
)
_TRAIL = re.compile(
    r"(?:[。．.！!、,\s]|こととする|こととします|ことを目指す|ことを目指します|を目指します|を目指す|"
    r"ことが目標|ことを目標とする|することとする|と考えています|です|である|ものとする|こと)+$"
)
# Sentence-final helpers after the last verb (〜したい, 〜します): the rewrite uses the plain form.
_AUX_POS = ("助動詞", "助詞", "記号", "接尾辞")
_NUMBERS = re.compile(
    r"(?:累計で|合計で|年間|毎年|約)?\d[\d,.]*\s*(?:万|千|億)?\s*"
    r"(?:%|割|件|人|団体|箇所|か所|業務|手続き?|回|校|社)?(?:以上|程度)?"
)
# Native verbs name no method noun; the 施策 note gets the matching Sino-Japanese noun.
_VERB_NOUN = {
    "入れる": "導入", "取り入れる": "導入", "やめる": "廃止", "止める": "廃止",
    "変える": "切り替え",
    "切り替える": "切り替え", "配る": "配布", "設ける": "設置", "始める": "開始", "やる": "実施",
    "行う": "実施", "進める": "推進", "置く": "配置", "整える": "整備", "立ち上げる": "立ち上げ",
}
_TOOL = re.compile(alt(lx.THING_WORDS), re.IGNORECASE | re.ASCII)
_DOMAIN_RESIDENT = re.compile(
    r"申請|手続|窓口|届出|予約|納付|証明|投票|キャッシュレス|オンライン|"
    r"マイナ|LINE|アプリ|ホームページ|相談|application|procedure",
    re.IGNORECASE,
)
_DOMAIN_TRAINING = re.compile(r"研修|講習|人材|育成|セミナー|受講|training", re.IGNORECASE)


def strip_deadline(s: str) -> str:
    s = DEADLINE_STRIP.sub("", s)
    s = re.sub(r"^(?:の|に|、|,|\s)+", "", s)
    return s.strip() or s


def core(text: str) -> str:
    """The clause without deadline and sentence-final fluff, for the rewrite."""
    s = DEADLINE_STRIP.sub("", text)
    s = _PURPOSE_TAIL.sub("", s)
    s = re.sub(r"^[\s、,]+", "", s)
    s = re.sub(r"[【\[(（]\s*[】\])）]", "", s)  # brackets emptied by the deadline removal
    return plain_ending(_TRAIL.sub("", s).strip(" 、,"))


def plain_ending(s: str) -> str:
    """「減らしたい」→「減らす」, 「短縮します」→「短縮する」: end on the verb's plain form."""
    tokens = tokenize(s)
    verbs = [i for i, t in enumerate(tokens) if t.pos == "動詞"]
    if not verbs:
        return s
    i = verbs[-1]
    rest = tokens[i + 1 :]
    if not rest or any(t.pos not in _AUX_POS for t in rest):
        return s
    if any(t.surface in ("ない", "ず", "なく", "ません") for t in rest):
        return s  # a negation must stay: 待たない
    return s[: tokens[i].start] + tokens[i].lemma


def phrase(text: str, cue: Cue | None, width: int = 24) -> str:
    """The user's words around a cue, for quoting in reasons (『電子申請をする』)."""
    if cue is None:
        return strip_deadline(text[:width])
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
    elif cue.kind != "metric":
        # Finish the verb: 『半日で終わる』, not 『半日で終わ』.
        rest = re.match(r"[ぁ-ん]{0,2}?(?=よう|こと|ため|[、。,]|$)", text[end:])
        if rest:
            end += len(rest.group(0))
    quote = strip_deadline(_TRAIL.sub("", text[start:end]).strip(" 、,"))
    return quote or cue.word


def _object_of(text: str, cue: Cue) -> str:
    """The noun phrase the means acts on: the last 「Xを」 before the cue (RPAを導入する → RPA)."""
    before = _NUMBERS.sub("", DEADLINE_STRIP.sub("", text[: cue.start]))
    found = re.findall(r"([^\s、,。をがはにでと]{1,20})を", before)
    if found:
        return strip_deadline(found[-1]).strip("のに")
    m = re.search(r"([^\s、,。をがはにでと]{1,16})の?$", before)
    return strip_deadline(m.group(1)).strip("のに") if m else ""


_OPEN = str.maketrans({c: "「" for c in "([【［〔（"} | {c: "」" for c in ")]】］〕）"})


def means_label(clause: Clause) -> str:
    """施策 as a noun phrase from the user's words: RPAの導入, 行政手続のオンライン化.

    Brackets become 「」 so the note stays one 「（施策：…）」 the checker can set aside.
    """
    return _means_label(clause).translate(_OPEN)


def _means_label(clause: Clause) -> str:
    cue = clause.cue
    if cue is None or cue.kind == "metric":
        return core(clause.text)
    word = cue.word
    obj = _object_of(clause.text, cue)
    if cue.kind == "thing":
        if word in ("サービス", "デジタル", "DX"):  # too general to name the means alone
            whole = core(clause.text)
            return whole if len(whole) <= 30 else f"{word}の活用"
        return f"{word}の導入"
    lemma = tokenize(word)[0].lemma if re.search(r"[ぁ-ん]", word) else word
    noun = _VERB_NOUN.get(lemma)
    if noun and not (obj and _TOOL.search(obj)) and noun == "導入":
        noun = None  # 〜を入れる of something that is not a tool: keep the user's phrase
    if noun is None and re.search(r"[ぁ-ん]", word):  # a native verb: quote the user's phrase
        return core(phrase(clause.text, cue))
    noun = noun or word
    if not obj or obj.endswith(noun):
        return obj or noun
    return f"{obj}の{noun}"


def outcome_rewrite(
    gov: Clause,
    slots: dict[str, str | None],
    deadline: str,
    means: list[Clause],
    subject: str | None = None,
) -> str:
    """The user's outcome with its missing SMART slots marked, the means kept as 施策.

    ``subject`` (「区民は」) is the sentence's topic when the governing clause does not repeat it.
    """
    parts = [
        f"指標：{slots['metric'] or '〔指標〕'}",
        f"現状値：{slots['baseline'] or '〔現状値〕'}",
        f"目標値：{slots['target'] or '〔目標値〕'}",
    ]
    goal = core(gov.text)
    if subject and subject not in goal:
        goal = f"{subject}、{goal}"
    text = f"{deadline}までに、{goal}（{'、'.join(parts)}）"
    labelled = [m for m in means if m.cue is not None]
    if labelled:
        text += f"（施策：{means_label(labelled[0])}）"
    return text


def means_rewrite(
    gov: Clause,
    purposes: list[Clause],
    slots: dict[str, str | None],
    deadline: str,
) -> str:
    """An outcome goal in place of a means: the user's own purpose if it states a change."""
    label = means_label(gov)
    benef = slots["beneficiary"]
    purpose_out = [p for p in purposes if p.verdict == "outcome"]
    if purpose_out:
        goal = core(purpose_out[-1].text)
        return (
            f"{deadline}までに、{goal}（指標：{slots['metric'] or '〔例：時間・件数・割合〕'}、"
            f"現状値：〔現状値〕、目標値：〔目標値〕）（施策：{label}）"
        )
    if _DOMAIN_TRAINING.search(gov.text):
        return (
            f"{deadline}までに、学んだ手法を業務で使っている{benef or '職員'}の割合を"
            f"〔現状値〕から〔目標値〕に高める（施策：{label}）"
        )
    if _DOMAIN_RESIDENT.search(gov.text):
        return (
            f"{deadline}までに、〔対象手続〕で{benef or '住民'}が来庁する回数と待ち時間を"
            f"〔△〕割減らす（施策：{label}）"
        )
    return (
        f"{deadline}までに、〔対象業務〕にかかる{benef or '職員'}の作業時間を"
        f"〔現状値〕から〔△〕割減らす（施策：{label}）"
    )
