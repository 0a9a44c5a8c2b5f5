"""Split municipalities into teams that each mix large and small ones."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K")

# (label, minimum population), largest first. Tokyo runs from ~940,000 (世田谷区) to 169
# (青ヶ島村), so bands on a roughly logarithmic scale say more than raw sums do.
SIZE_BANDS: tuple[tuple[str, int], ...] = (
    ("大規模", 300_000),
    ("中規模", 100_000),
    ("小規模", 10_000),
    ("町村規模", 0),
)
UNKNOWN_LABEL = "不明"


def size_band(population: int | None) -> str | None:
    """The SIZE_BANDS label for a population, or None when the population is unknown."""
    if population is None:
        return None
    for label, minimum in SIZE_BANDS:
        if population >= minimum:
            return label
    return SIZE_BANDS[-1][0]


@dataclass(frozen=True)
class TeamSpread:
    """Population spread of one team; figures cover known populations only."""

    min: int | None
    max: int | None
    median: int | None
    total: int
    unknown_count: int
    bands: dict[str, int]


def team_spread(populations: Sequence[int | None]) -> TeamSpread:
    """Summarise a team's populations for the organizer page.

    The median of an even count is the mean of the two middle values, rounded down.
    Unknown populations are only counted (unknown_count), never estimated.
    """
    known = sorted(p for p in populations if p is not None)
    bands = {label: 0 for label, _ in SIZE_BANDS}
    for population in known:
        bands[size_band(population) or SIZE_BANDS[-1][0]] += 1
    median: int | None = None
    if known:
        mid = len(known) // 2
        median = known[mid] if len(known) % 2 else (known[mid - 1] + known[mid]) // 2
    return TeamSpread(
        min=known[0] if known else None,
        max=known[-1] if known else None,
        median=median,
        total=sum(known),
        unknown_count=len(populations) - len(known),
        bands=bands,
    )


def _tiers(count: int, k: int) -> list[range]:
    """Cut ranks 0..count-1 into tiers of k, putting the one short tier in the middle.

    Keeping the top and bottom tiers full means every team gets one of the k largest and
    one of the k smallest, whatever count % k is.
    """
    full, rest = divmod(count, k)
    sizes = [k] * full
    if rest:
        sizes.insert((full + 1) // 2, rest)
    tiers: list[range] = []
    start = 0
    for size in sizes:
        tiers.append(range(start, start + size))
        start += size
    return tiers


def balance_teams(items: Sequence[tuple[K, int | None]], k: int) -> list[list[K]]:
    """Split (key, population) items into k teams mixing large and small municipalities.

    Known populations are ranked largest first and cut into tiers of k ranks; each tier is
    dealt one item per team, the largest remaining item going to the team whose sum of
    log10(population) is lowest so far (a serpentine draft on a log scale, so one
    1-million ward does not count like a hundred villages). Team sizes differ by at most one.

    Unknown population (None): no number is guessed. Those items are dealt after all known
    ones, each to the smallest team (then the one with fewest unknowns, then the lowest log
    sum), so they spread across teams and the organizer sees them as 不明.

    Deterministic: ties are broken by input order. Each team lists its members largest
    first, unknowns last. Raises ValueError (Japanese message) when k < 1 or k > len(items),
    or a population is negative.
    """
    n = len(items)
    if k < 1:
        raise ValueError(f"チーム数は1以上にしてください(指定: {k})。")
    if k > n:
        raise ValueError(f"チーム数({k})が自治体数({n})を超えています。")
    for key, population in items:
        if population is not None and population < 0:
            raise ValueError(f"人口が負の値です: {key!r} ({population})")

    known = sorted(
        (i for i, (_, p) in enumerate(items) if p is not None),
        key=lambda i: (-(items[i][1] or 0), i),
    )
    unknown = [i for i, (_, p) in enumerate(items) if p is None]

    members: list[list[int]] = [[] for _ in range(k)]
    log_sum = [0.0] * k
    unknown_count = [0] * k

    for tier in _tiers(len(known), k):
        # Sizes are equal before every full tier; the one short tier goes to the teams with
        # the lowest log sum, so sizes never differ by more than one.
        free = list(range(k))
        for rank in tier:
            index = known[rank]
            team = min(free, key=lambda t: (log_sum[t], t))
            free.remove(team)
            members[team].append(index)
            log_sum[team] += math.log10(max(items[index][1] or 0, 1))

    for index in unknown:
        team = min(range(k), key=lambda t: (len(members[t]), unknown_count[t], log_sum[t], t))
        members[team].append(index)
        unknown_count[team] += 1

    return [[items[i][0] for i in team_members] for team_members in members]
