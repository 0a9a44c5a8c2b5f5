"""Property tests: no input crashes the goal checker and to_dict() always keeps the contract."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.goals import check_goal

KEYS = {"verdict", "reasons", "suggestion", "level", "slots", "goals"}
SLOTS = {"beneficiary", "metric", "target", "deadline", "baseline"}
LEVELS = {None, "活動", "アウトプット", "アウトカム", "インパクト"}

# Japanese-looking fragments so the generator reaches the rules, not only garbage paths.
FRAGMENTS = st.sampled_from(
    [
        "電子申請",
        "を",
        "導入する",
        "し、",
        "窓口の",
        "待ち時間",
        "を半減する",
        "ため",
        "ように",
        "ではなく",
        "市民満足度",
        "70%",
        "２０２６年度までに",
        "。",
        "\n",
        "・",
        "RPA",
        "オンライン化率",
        "利用率",
        "にする",
        "住民が",
        "来なくて済む",
        "🎉",
        "\x00",
        "\u200b",
        "ｵﾝﾗｲﾝ",
        "Introduce",
        "reduce waiting time",
        "?",
        "目標:",
        "60分から",
        "ない",
        "、",
        "向け",
        "を目指し",
        "\ud800",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(FRAGMENTS, max_size=25).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
)


def _check_shape(d: dict, top: bool = True) -> None:
    assert KEYS <= set(d)
    if top:
        assert set(d) == KEYS
    assert d["verdict"] in ("means", "outcome", "unclear")
    assert isinstance(d["reasons"], list) and all(isinstance(r, str) for r in d["reasons"])
    assert d["suggestion"] is None or isinstance(d["suggestion"], str)
    assert d["level"] in LEVELS
    assert set(d["slots"]) == SLOTS
    assert all(v is None or (isinstance(v, str) and v) for v in d["slots"].values())
    if d["verdict"] == "unclear":
        assert d["level"] is None
    if d["verdict"] == "means":
        assert d["reasons"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_never_crashes_and_keeps_contract(text: str) -> None:
    d = check_goal(text).to_dict()
    _check_shape(d)
    for g in d["goals"]:
        _check_shape(g, top=False)
        assert isinstance(g["text"], str)


@settings(max_examples=100, deadline=None)
@given(st.lists(FRAGMENTS, min_size=1, max_size=15).map("".join))
def test_deterministic(text: str) -> None:
    assert check_goal(text).to_dict() == check_goal(text).to_dict()
