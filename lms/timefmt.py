"""Japanese date formatting in Asia/Tokyo: 2021年10月15日(金) 14:00."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAYS = "月火水木金土日"


def to_tokyo(value: datetime) -> datetime:
    return value.astimezone(TOKYO)


def ja_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_tokyo(value)
    return f"{value.year}年{value.month}月{value.day}日({WEEKDAYS[value.weekday()]})"


def ja_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_tokyo(value).strftime("%H:%M")


def ja_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{ja_date(value)} {ja_time(value)}"
