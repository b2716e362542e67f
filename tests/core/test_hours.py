"""Business hours with a time zone (daylight saving) and a holiday, at their boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.errors import ConfigError
from core.hours import is_open
from core.settings import BusinessHours, parse_settings

BERLIN = BusinessHours(start="09:00", end="17:00", timezone="Europe/Berlin",
                       holidays=(date(2026, 12, 24),))


@pytest.mark.parametrize(("when", "expected"), [
    (datetime(2026, 1, 5, 7, 59, tzinfo=UTC), False),   # 08:59 in Berlin (CET, UTC+1)
    (datetime(2026, 1, 5, 8, 0, tzinfo=UTC), True),     # 09:00: opening minute is open
    (datetime(2026, 1, 5, 15, 59, tzinfo=UTC), True),   # 16:59
    (datetime(2026, 1, 5, 16, 0, tzinfo=UTC), False),   # 17:00: closing minute is closed
    (datetime(2026, 7, 6, 7, 0, tzinfo=UTC), True),     # 09:00 in summer (CEST, UTC+2)
    (datetime(2026, 7, 6, 15, 0, tzinfo=UTC), False),   # 17:00 CEST
    (datetime(2026, 1, 10, 10, 0, tzinfo=UTC), False),  # Saturday
    (datetime(2026, 12, 24, 10, 0, tzinfo=UTC), False),  # a holiday, on a Thursday
    (datetime(2026, 12, 23, 23, 30, tzinfo=UTC), False),  # 00:30 on the holiday, local
    (datetime(2026, 12, 23, 15, 30, tzinfo=UTC), True),   # 16:30 the day before
])
def test_business_hours_boundaries(when: datetime, expected: bool) -> None:
    assert is_open(BERLIN, when) is expected


def test_an_unknown_time_zone_fails_at_start_up_naming_key_and_value(tmp_path: object) -> None:
    text = "routing:\n  business_hours: {timezone: Europe/Berlinn}\n"
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, "handoff.yaml", {}, tmp_path)  # type: ignore[arg-type]
    assert "routing.business_hours.timezone = 'Europe/Berlinn'" in str(caught.value)
