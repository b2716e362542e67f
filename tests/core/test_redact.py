"""Masking of personal data before logging or storing."""

from __future__ import annotations

import pytest

from core.redact import mask


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe+x@mail.example.com now", "write to [email] now"),
        ("card 4111 1111 1111 1111 expired", "card [card] expired"),
        ("card 4111-1111-1111-1111", "card [card]"),
        ("call +1 415 555 0134 today", "call [phone] today"),
        ("call (030) 1234 5678", "call [phone]"),
        ("order 123456789 is late", "order 123456789 is late"),
        ("not a card 1234 5678 9012 3456", "not a card 1234 5678 9012 3456"),
        ("nothing personal here", "nothing personal here"),
        ("delivered 2026-01-05, ordered 05.01.2026", "delivered 2026-01-05, ordered 05.01.2026"),
        ("retry at 2026-11-22 06:09:09.711", "retry at 2026-11-22 06:09:09.711"),
    ],
)
def test_mask(text: str, expected: str) -> None:
    assert mask(text) == expected
