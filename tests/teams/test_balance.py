"""Tests for balanced team formation and team population spread."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.cohorts.municipalities import load_tokyo_municipalities
from lms.teams.balance import SIZE_BANDS, TeamSpread, balance_teams, size_band, team_spread

BIG_MIN = SIZE_BANDS[0][1]
SMALL_MAX = SIZE_BANDS[-2][1] - 1

populations = st.one_of(st.none(), st.integers(min_value=0, max_value=1_000_000))


@st.composite
def items_and_k(draw: st.DrawFn) -> tuple[list[tuple[int, int | None]], int]:
    pops = draw(st.lists(populations, min_size=1, max_size=80))
    k = draw(st.integers(min_value=1, max_value=len(pops)))
    return list(enumerate(pops)), k


@given(items_and_k())
@settings(max_examples=300)
def test_sizes_differ_by_at_most_one(case: tuple[list[tuple[int, int | None]], int]) -> None:
    items, k = case
    teams = balance_teams(items, k)
    assert len(teams) == k
    sizes = [len(t) for t in teams]
    assert max(sizes) - min(sizes) <= 1


@given(items_and_k())
@settings(max_examples=300)
def test_every_item_exactly_once(case: tuple[list[tuple[int, int | None]], int]) -> None:
    items, k = case
    teams = balance_teams(items, k)
    flat = [key for team in teams for key in team]
    assert sorted(flat) == [key for key, _ in items]


@given(items_and_k())
def test_deterministic(case: tuple[list[tuple[int, int | None]], int]) -> None:
    items, k = case
    assert balance_teams(items, k) == balance_teams(list(items), k)


@st.composite
def banded_case(draw: st.DrawFn) -> tuple[list[tuple[str, int | None]], int]:
    k = draw(st.integers(min_value=1, max_value=8))
    big = draw(st.lists(st.integers(BIG_MIN, 1_000_000), min_size=k, max_size=3 * k))
    small = draw(st.lists(st.integers(0, SMALL_MAX), min_size=k, max_size=3 * k))
    middle = draw(st.lists(st.one_of(st.none(), st.integers(SMALL_MAX + 1, BIG_MIN - 1))))
    pops = draw(st.permutations(big + small + middle))
    return [(f"m{i}", p) for i, p in enumerate(pops)], k


@given(banded_case())
@settings(max_examples=300)
def test_each_team_gets_a_big_and_a_small(case: tuple[list[tuple[str, int | None]], int]) -> None:
    items, k = case
    population = dict(items)
    for team in balance_teams(items, k):
        bands = {size_band(population[key]) for key in team}
        assert SIZE_BANDS[0][0] in bands, team
        assert SIZE_BANDS[-1][0] in bands, team


def test_demo_like_tokyo_25_into_5() -> None:
    names = [
        # 特別区
        "世田谷区", "大田区", "足立区", "品川区", "中野区", "豊島区", "港区", "台東区",
        # 市
        "八王子市", "町田市", "府中市", "調布市", "三鷹市", "小金井市", "国立市", "狛江市",
        "福生市", "羽村市",
        # 町村 (大島町 has no population in the source data)
        "瑞穂町", "日の出町", "奥多摩町", "檜原村", "八丈町", "新島村", "大島町",
    ]  # fmt: skip
    by_name = {m.name: m for m in load_tokyo_municipalities()}
    records = [by_name[name] for name in names]
    assert by_name["大島町"].population is None
    teams = balance_teams([(m.code, m.population) for m in records], 5)
    by_code = {m.code: m for m in records}
    assert sorted(len(t) for t in teams) == [5, 5, 5, 5, 5]
    for team in teams:
        members = [by_code[code] for code in team]
        assert any(m.kind == "特別区" and (m.population or 0) > 200_000 for m in members), team
        assert any(m.population is not None and m.population < 60_000 for m in members), team


def test_members_listed_largest_first_unknown_last() -> None:
    teams = balance_teams([("a", 10), ("b", None), ("c", 1_000), ("d", 500_000)], 1)
    assert teams == [["d", "c", "a", "b"]]


def test_unknown_populations_spread_across_teams() -> None:
    items = [(f"u{i}", None) for i in range(6)] + [("x", 100), ("y", 200_000)]
    teams = balance_teams(items, 3)
    unknown_per_team = [sum(key.startswith("u") for key in team) for team in teams]
    assert max(unknown_per_team) - min(unknown_per_team) <= 1


@pytest.mark.parametrize("k", [0, -1, 4])
def test_bad_team_count_raises_japanese_error(k: int) -> None:
    with pytest.raises(ValueError, match="チーム数"):
        balance_teams([("a", 1), ("b", 2), ("c", 3)], k)


def test_empty_items_raise() -> None:
    with pytest.raises(ValueError):
        balance_teams([], 1)


def test_negative_population_raises() -> None:
    with pytest.raises(ValueError, match="人口"):
        balance_teams([("a", -5)], 1)


def test_team_spread() -> None:
    spread = team_spread([937_615, None, 2_038, 150_497, 32_161])
    assert spread == TeamSpread(
        min=2_038,
        max=937_615,
        median=(32_161 + 150_497) // 2,
        total=937_615 + 2_038 + 150_497 + 32_161,
        unknown_count=1,
        bands={"大規模": 1, "中規模": 1, "小規模": 1, "町村規模": 1},
    )


def test_team_spread_all_unknown_invents_nothing() -> None:
    spread = team_spread([None, None])
    assert (spread.min, spread.max, spread.median, spread.total) == (None, None, None, 0)
    assert spread.unknown_count == 2
    assert set(spread.bands.values()) == {0}


def test_size_band_boundaries() -> None:
    assert size_band(300_000) == "大規模"
    assert size_band(299_999) == "中規模"
    assert size_band(10_000) == "小規模"
    assert size_band(169) == "町村規模"
    assert size_band(None) is None
