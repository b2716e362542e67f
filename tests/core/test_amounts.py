"""Money amounts in customer text: formats, currencies, and numbers that are not money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.amounts import amounts


def read(text: str) -> list[tuple[Decimal, str]]:
    return [(a.value, a.currency) for a in amounts(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("I was charged $1,200 twice", [(Decimal(1200), "USD")]),
    ("Rechnung über 1.200,00 € bitte prüfen", [(Decimal(1200), "EUR")]),
    ("refund EUR 80 please", [(Decimal(80), "EUR")]),
    ("it was 80 EUR", [(Decimal(80), "EUR")]),
    ("£30.50 for postage", [(Decimal("30.50"), "GBP")]),
    ("CHF 1'200.00 debited", [(Decimal(1200), "CHF")]),
    ("C$20 and US$ 99.99", [(Decimal(20), "CAD"), (Decimal("99.99"), "USD")]),
    ("it cost 1200 dollars", [(Decimal(1200), "USD")]),
    ("a 2.5k USD invoice", [(Decimal(2500), "USD")]),
    ("1 200,50 EUR", [(Decimal("1200.50"), "EUR")]),
])
def test_amounts_in_several_currencies_and_formats(
    text: str, expected: list[tuple[Decimal, str]]
) -> None:
    assert read(text) == expected


def test_several_amounts_in_order() -> None:
    text = "You charged me $45.99, then $45.99 again, and a €10 fee."
    assert read(text) == [(Decimal("45.99"), "USD"), (Decimal("45.99"), "USD"),
                          (Decimal(10), "EUR")]


@pytest.mark.parametrize("text", [
    "Where is my order #12345?",
    "Order 1.200 arrived on 2026-01-05 with 3 items",
    "My account number is 4532 1234 and my zip is 10115",
    "",
])
def test_numbers_without_a_currency_are_not_money(text: str) -> None:
    assert amounts(text) == ()


def test_an_order_number_next_to_an_amount_is_not_read_as_money() -> None:
    assert read("Order 48213 was charged $1,200 instead of $120") == [
        (Decimal(1200), "USD"), (Decimal(120), "USD")]
