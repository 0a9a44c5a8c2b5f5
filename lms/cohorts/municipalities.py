"""Tokyo municipality reference data (code, name, kind, population with its source)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Shipped inside the package so the app never fetches reference data from outside (LGWAN).
_DATA_PACKAGE = "lms"
_DATA_PATH = "data/tokyo_municipalities.csv"
_REQUIRED_COLUMNS = ("code", "name", "kind", "population", "population_date", "source")


@dataclass(frozen=True)
class MunicipalityRecord:
    """One 区市町村 as published; population is None when the source gives none."""

    code: str
    name: str
    kind: str
    population: int | None
    population_date: str | None
    source: str


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _parse_population(value: str | None, code: str) -> int | None:
    text = _optional(value)
    if text is None:
        # Unknown stays unknown: the UI shows 不明 rather than an invented figure.
        return None
    try:
        population = int(text.replace(",", ""))
    except ValueError as exc:
        raise ValueError(f"人口の値が不正です (団体コード {code}): {text!r}") from exc
    if population < 0:
        raise ValueError(f"人口の値が負です (団体コード {code}): {population}")
    return population


def parse_municipalities_csv(text: str) -> list[MunicipalityRecord]:
    """Parse the reference CSV text; raises ValueError on malformed data."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"自治体データに必要な列がありません: {', '.join(missing)}")
    records: list[MunicipalityRecord] = []
    seen: set[str] = set()
    for row in reader:
        code = (row["code"] or "").strip()
        name = (row["name"] or "").strip()
        if not code or not name:
            raise ValueError(f"自治体データに団体コードまたは名称のない行があります: {row!r}")
        if code in seen:
            raise ValueError(f"自治体データの団体コードが重複しています: {code}")
        seen.add(code)
        records.append(
            MunicipalityRecord(
                code=code,
                name=name,
                kind=(row["kind"] or "").strip(),
                population=_parse_population(row["population"], code),
                population_date=_optional(row["population_date"]),
                source=(row["source"] or "").strip(),
            )
        )
    return records


@lru_cache(maxsize=1)
def _load_cached() -> tuple[MunicipalityRecord, ...]:
    text = resources.files(_DATA_PACKAGE).joinpath(_DATA_PATH).read_text(encoding="utf-8-sig")
    return tuple(parse_municipalities_csv(text))


def load_tokyo_municipalities() -> list[MunicipalityRecord]:
    """All 62 Tokyo municipalities in code order, as shipped in lms/data."""
    # A fresh list each call so callers cannot mutate the cached copy.
    return list(_load_cached())
