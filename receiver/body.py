"""Decode a verified webhook body: JSON, or a PayloadError (400) naming what is wrong.

Signed does not mean sane: a helpdesk retries a 500 for hours, so every body that
Python's JSON reader or our id hashing would choke on is refused here with the
reason: invalid JSON, nesting deeper than `MAX_DEPTH`, a number past Python's
4,300-digit conversion limit, or a lone surrogate (``\\ud800``), which is valid
JSON but not Unicode and cannot be encoded again.
"""

from __future__ import annotations

import json
import re

from core.errors import PayloadError

# Real webhook bodies are a few levels deep; this leaves room and stays far below
# the interpreter's recursion limit, which json.loads and json.dumps both hit.
MAX_DEPTH = 64
_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_json(raw: bytes) -> object:
    """The body as JSON. Raises PayloadError naming the problem (the receiver's 400)."""
    try:
        body = json.loads(raw)
    except RecursionError as exc:
        raise PayloadError(f"JSON body nested deeper than {MAX_DEPTH} levels") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise PayloadError(f"malformed JSON body: {exc}") from exc
    _check(body)
    return body


def _check(body: object) -> None:
    pending: list[tuple[object, int]] = [(body, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise PayloadError(f"JSON body nested deeper than {MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _text(key)
                pending.append((item, depth + 1))
        elif isinstance(value, str):
            _text(value)


def _text(value: str) -> None:
    if _SURROGATE.search(value):
        raise PayloadError("JSON body has a lone surrogate (\\ud800-\\udfff) in a string: "
                           "not valid Unicode")
