"""Mask personal data in text before it is logged or stored.

E-mail addresses, phone numbers and payment-card numbers (13 to 19 digits that
pass the Luhn check) are replaced by ``[email]``, ``[phone]`` and ``[card]``.

- E-mail addresses also in their spelled-out forms: ``jane.doe[at]example.com``,
  ``jane (at) example {dot} com``, ``jane at example dot com``. The bare words
  "at" and "dot" count only together and before a common top-level domain, so
  "arrived at 5.30" or "look at the dot on the map" stay.
- Phone numbers with separators (``+1 415 555 0134``, ``(030) 1234 5678``) and
  without: E.164 (``+4915123456789``), the ``00`` international prefix, national
  numbers with a leading 0 (10 or 11 digits) and North American ten-digit numbers
  (``4155550132``, whose area code and exchange never start with 0 or 1).

Order numbers and other digit runs that are not valid card numbers are kept,
because agents need them; a ten-digit order number shaped like a North American
phone number is masked too, which is where masking is used (logs, the decision
log, the admin page) the safer mistake. Pure and total: any string in, a string out.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Not after a "+": an E.164 number of 13 to 15 digits is a phone number even when it
# happens to pass the Luhn check.
_CARD = re.compile(r"\b\d(?<!\+\d)(?:[ -]?\d){12,18}\b")
_PHONE = re.compile(r"(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,5}){1,4}\b")
# Unseparated numbers. One that follows a word character, "=", "#" or "/" is part of a
# word, an id in a log line or a path, not a number a customer typed. The pattern starts
# with a character class, not a look-behind, so that `re` can skip ahead to candidates:
# 2.5 times faster over a log line.
_BARE_PHONE = re.compile(r"""
    [+\d] (?<![\w+=#/].)
    (?: (?<=\+) (?: \d{7,15} | \d{1,3}[ .-]\d{6,12} )   # E.164
      | (?<=0) (?: 0\d{8,13} | \d{9,10} )               # 00 prefix; national, trunk 0
      | (?<=1) [2-9]\d{2}[2-9]\d{6}                     # North American, with the 1
      | (?<=[2-9]) \d{2}[2-9]\d{6}                      # North American
    ) (?!\w)
""", re.VERBOSE)

_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_BRACKET_AT = rf"\s*{_OPEN}\s*at\s*{_CLOSE}\s*"
_BRACKET_DOT = rf"\s*{_OPEN}\s*dot\s*{_CLOSE}\s*"
_ANY_DOT = rf"(?:{_BRACKET_DOT}|\s+dot\s+|\.)"
_LABEL = r"[\w-]+"
# Top-level domains that make "jane at example dot com" an address rather than a sentence.
_TLD = (r"(?:com|net|org|edu|gov|info|biz|io|co|me|ai|app|dev|uk|us|ca|au|nz|ie|de|at|ch|fr"
        r"|be|nl|lu|es|pt|it|eu|se|no|dk|fi|pl|cz|br|mx|ar|in|jp|cn|ru)")
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]++(?:"
    rf"{_BRACKET_AT}{_LABEL}(?:{_ANY_DOT}{_LABEL})+"
    rf"|(?:\s+at\s+|@){_LABEL}(?:{_ANY_DOT}{_LABEL})*{_BRACKET_DOT}{_LABEL}"
    rf"(?:{_ANY_DOT}{_LABEL})*"
    rf"|@{_LABEL}(?:{_ANY_DOT}{_LABEL})*\s+dot\s+{_LABEL}(?:{_ANY_DOT}{_LABEL})*"
    rf"|\s+at\s+{_LABEL}(?:{_ANY_DOT}{_LABEL})*\s+dot\s+{_TLD}\b"
    rf")",
    re.IGNORECASE,
)


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


# Looking for what every match must hold is several times cheaper than running the
# patterns over every log line, many of which hold none of it: an "@" or a spelled "at"
# between spaces or brackets for an e-mail address; a digit, a separator and a digit in a
# row, or seven digits in a row, for a phone number.
_SPELLED_AT_HINT = re.compile(r"[\s\[({<]at[\s\])}>]", re.IGNORECASE)
_PHONE_HINT = re.compile(r"\d(?:[ .-]\d|\d{6})")


def mask(text: str) -> str:
    """`text` with e-mail addresses, card numbers and phone numbers masked."""
    has_at = "@" in text
    if has_at:
        text = _EMAIL.sub("[email]", text)
    if has_at or _SPELLED_AT_HINT.search(text):
        text = _SPELLED_EMAIL.sub("[email]", text)
    text = _CARD.sub(_card, text)
    if _PHONE_HINT.search(text):
        text = _PHONE.sub(_phone, text)
        text = _BARE_PHONE.sub("[phone]", text)
    return text
