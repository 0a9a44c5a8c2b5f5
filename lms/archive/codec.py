"""Writing the cohort's rows out as archive JSON and reading them back (pure of Flask)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime

from lms.db import UTCDateTime


class ArchiveError(Exception):
    """The archive cannot be read or loaded; the message says why, in Japanese."""


def is_datetime(column) -> bool:
    return isinstance(column.type, UTCDateTime | DateTime)


def is_date(column) -> bool:
    return isinstance(column.type, Date) and not is_datetime(column)


def dump_value(column, value):
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_value(column, value):
    if value is None:
        return None
    if is_datetime(column):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if is_date(column):
        return date.fromisoformat(value)
    return value


# Homework owners are "u:<user id>", "m:<municipality code>" or "t:<team id>": ids that
# differ between instances, so the archive writes "u:<email>" and "t:<archive team number>".
OWNER_KEY_COLUMNS = {("submissions", "owner_key"), ("homework_drafts", "owner_key")}


def dump_owner_key(value: str, emails: dict[int, str], teams: dict[int, int]) -> str:
    kind, _, ref = value.partition(":")
    if kind == "u":
        return f"u:{emails[int(ref)]}"
    if kind == "t":
        return f"t:{teams[int(ref)]}"
    return value


def load_owner_key(value: str, users: dict[str, int], teams: dict[int, int]) -> str:
    kind, _, ref = value.partition(":")
    if kind == "u":
        return f"u:{users[ref]}"
    if kind == "t":
        return f"t:{teams[int(ref)]}"
    return value
