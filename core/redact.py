"""Mask personal data in text before it is logged or stored.

E-mail addresses, phone numbers and payment-card numbers (13 to 19 digits that
pass the Luhn check) are replaced by ``[email]``, ``[phone]`` and ``[card]``.
Order numbers and other digit runs that are not valid card numbers are kept,
because agents need them. Pure and total: any string in, a string out.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
_PHONE = re.compile(r"(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,5}){1,4}\b")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[card]" if _luhn_ok(digits) else match.group()


_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")


def _phone(match: re.Match[str]) -> str:
    found = match.group()
    digits = re.sub(r"\D", "", found)
    # E.164 numbers have 7 to 15 digits; a leading +, an area code in brackets or two
    # separators tell a phone number from a date, an amount or an order reference.
    shaped = found.startswith("+") or "(" in found or len(re.findall(r"[ .-]", found)) >= 2
    is_date = _DATE.match(found) is not None
    return "[phone]" if 7 <= len(digits) <= 15 and shaped and not is_date else found


# Every phone match holds a digit, a separator and a digit in a row, as every e-mail match
# holds an "@": looking for those first is several times cheaper than running the patterns
# over every log line, many of which have neither.
_PHONE_HINT = re.compile(r"\d[ .-]\d")


def mask(text: str) -> str:
    """`text` with e-mail addresses, card numbers and phone numbers masked."""
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(_card, text)
    if _PHONE_HINT.search(text):
        text = _PHONE.sub(_phone, text)
    return text
