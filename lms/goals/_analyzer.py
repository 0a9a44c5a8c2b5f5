"""Lazily loaded, thread-safe Japanese morphological analyser (SudachiPy, core dictionary)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Token:
    """One morpheme with character offsets into the analysed string."""

    surface: str
    lemma: str  # dictionary form (する, 減らす)
    norm: str  # orthographic normal form (へらす -> 減らす, 申込み -> 申し込み)
    pos: str  # top-level part of speech, Sudachi names (名詞, 動詞, 助動詞, 記号...)
    conj: str  # conjugation form (連用形-一般...) or ""
    start: int
    end: int


_lock = threading.Lock()
_factory: Callable[[], Callable[[str], list[Token]]] | None = None
_local = threading.local()

# Sudachi calls some tags differently from IPADIC; map to one vocabulary for the rules.
_POS_MAP = {"補助記号": "記号", "空白": "記号", "接頭詞": "接頭辞", "フィラー": "感動詞"}


def _sudachi_factory() -> Callable[[], Callable[[str], list[Token]]]:
    from sudachipy import Dictionary, SplitMode

    dictionary = Dictionary(dict="core")
    mode = SplitMode.C  # long units keep ペーパーレス化 / 電子申請 whole

    def make() -> Callable[[str], list[Token]]:
        tokenizer = dictionary.tokenizer(mode=mode)

        def tokenize(text: str) -> list[Token]:
            out = []
            for m in tokenizer.tokenize(text):
                pos = m.part_of_speech()
                out.append(
                    Token(
                        m.surface(),
                        m.dictionary_form(),
                        m.normalized_form(),
                        _POS_MAP.get(pos[0], pos[0]),
                        pos[5] if pos[5] != "*" else "",
                        m.begin(),
                        m.end(),
                    )
                )
            return out

        return tokenize

    return make


def _load() -> Callable[[], Callable[[str], list[Token]]]:
    global _factory
    if _factory is None:
        with _lock:  # double-checked so concurrent first requests load the dictionary once
            if _factory is None:
                _factory = _sudachi_factory()
    return _factory


def tokenize(text: str) -> list[Token]:
    """Split text into morphemes; one tokenizer per thread because they keep mutable state."""
    fn = getattr(_local, "tokenize", None)
    if fn is None:
        fn = _load()()
        _local.tokenize = fn
    return fn(text)

