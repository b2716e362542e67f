"""Business hours: is a moment inside them? Pure; `now` always comes from the caller."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.settings import BusinessHours

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def local_time(hours: BusinessHours, when: datetime) -> datetime:
    """`when` on the clock of `hours`: its time zone, else its fixed UTC offset.

    A naive `when` is taken as UTC.
    """
    if hours.timezone:
        aware = when if when.tzinfo else when.replace(tzinfo=ZoneInfo("UTC"))
        return aware.astimezone(ZoneInfo(hours.timezone))
    return when + timedelta(hours=hours.utc_offset_hours)


def is_open(hours: BusinessHours, when: datetime) -> bool:
    """Whether `when` falls on a working day, not a holiday, at or after `start` and
    before `end` (local time)."""
    local = local_time(hours, when)
    if local.date() in hours.holidays or local.weekday() not in hours.days:
        return False
    minutes = local.hour * 60 + local.minute
    return _minutes(hours.start) <= minutes < _minutes(hours.end)


def describe(hours: BusinessHours) -> str:
    """The hours as a customer reads them: "Mon, Tue 09:00-17:00 Europe/Berlin" (an en dash)."""
    days = ", ".join(DAY_NAMES[d] for d in hours.days)
    zone = hours.timezone or f"UTC{hours.utc_offset_hours:+g}"
    return f"{days} {hours.start}\u2013{hours.end} {zone}"


def _minutes(clock: str) -> int:
    hour, minute = clock.split(":")
    return int(hour) * 60 + int(minute)
