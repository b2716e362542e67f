"""Money amounts mentioned in a customer's text: "$1,200", "1.200,00 €", "EUR 80".

Only a number written with a currency (a symbol, an ISO code or a currency word,
before or after it) is money, so order numbers, dates and quantities are never read
as amounts. Separators are read by `price_parser` ("1.200,00" and "1,200.00" are
both 1200). Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from price_parser import Price

# Longest first, so "US$" wins over "$".
SYMBOLS = {
    "US$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD",
    "R$": "BRL", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW",
    "zł": "PLN", "kr": "SEK",
}
CODES = frozenset((
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "CNY", "INR", "BRL", "MXN", "SEK",
    "NOK", "DKK", "PLN", "CZK", "HUF", "ZAR", "SGD", "HKD", "KRW", "TRY", "ILS", "AED",
))
WORDS = {
    "dollars": "USD", "dollar": "USD", "bucks": "USD", "euros": "EUR", "euro": "EUR",
    "pounds": "GBP", "quid": "GBP", "francs": "CHF", "yen": "JPY", "rupees": "INR",
}

_NUMBER = r"\d{1,3}(?:[.,'\u00a0 ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_SYMBOL = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True) if s != "kr")
_CODE = "|".join(sorted(CODES))
_WORD = "|".join(sorted(WORDS, key=len, reverse=True))
_BEFORE = rf"(?P<pre>{_SYMBOL}|\b(?:{_CODE})\b)\s?(?P<n1>{_NUMBER})(?P<k1>k\b)?"
_AFTER = (rf"(?<![\d.,])(?P<n2>{_NUMBER})(?P<k2>k\b)?\s?"
          rf"(?P<post>{_SYMBOL}|\bkr\b|\b(?:{_CODE}|{_WORD})\b)")
_AMOUNT = re.compile(rf"{_BEFORE}|{_AFTER}", re.IGNORECASE)


@dataclass(frozen=True)
class Amount:
    """One amount: its value, ISO currency code, and the text it was read from."""

    value: Decimal
    currency: str
    text: str


def amounts(text: str) -> tuple[Amount, ...]:
    """Every money amount in `text`, in order. Never raises; no amount gives ()."""
    found: list[Amount] = []
    for match in _AMOUNT.finditer(text):
        marker = match.group("pre") or match.group("post")
        number = match.group("n1") or match.group("n2")
        value = Price.fromstring(number.replace("\u00a0", " ")).amount
        if value is None:
            continue
        if match.group("k1") or match.group("k2"):
            value *= 1000
        found.append(Amount(value=value, currency=currency_of(marker), text=match.group(0)))
    return tuple(found)


def currency_of(marker: str) -> str:
    """The ISO code for a symbol, code or word ("€" -> "EUR"); unknown markers upper-cased."""
    lowered = marker.lower()
    for table in (SYMBOLS, WORDS):
        for key, code in table.items():
            if key.lower() == lowered:
                return code
    return marker.upper()
