"""Helpers the connectors share for webhooks, ids, knowledge and install checks.

Pure functions except `probe_receiver`, which sends one HTTP request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from core.errors import PermanentError


def lowered(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Header names folded to lower case, last one winning."""
    return {name.lower(): value for name, value in headers}


def secret_matches(given: str | None, secret: str) -> bool:
    """Constant-time comparison of a presented secret with the configured one."""
    if not given or not secret:
        return False
    return hmac.compare_digest(given.strip().encode(), secret.encode())


def basic_password(authorization: str | None) -> str | None:
    """The password of an HTTP Basic ``Authorization`` header, or None."""
    if not authorization:
        return None
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, colon, password = decoded.partition(":")
    return password if colon else None


def is_number(text: str) -> bool:
    """True when `text` is ASCII digits only.

    ``str.isdigit`` also passes superscripts, Arabic-Indic and full-width digits,
    which ``int`` refuses (a 500 in the receiver) or reads as an id no helpdesk sends.
    """
    return text.isascii() and text.isdigit()


def identifier(value: Any) -> str | None:
    """A positive numeric id as a string (from an int or a digit string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value > 0 else None
    if isinstance(value, str) and is_number(value.strip()) and int(value) > 0:
        return value.strip()
    return None


def path_id(platform: str, ticket_id: str) -> str:
    """`ticket_id` checked for use in a URL path; PermanentError if not numeric."""
    if not is_number(ticket_id):
        raise PermanentError(f"{platform}: {ticket_id!r} is not a ticket id")
    return ticket_id


def api_int(platform: str, field: str, value: str) -> int:
    """A neutral id as the integer the API wants; PermanentError names the field."""
    if not is_number(value):
        raise PermanentError(f"{platform}: {field} {value!r} must be a numeric id")
    return int(value)


def content_id(*parts: str, body: Any) -> str:
    """A stable event id from `parts` and the canonical JSON of `body`."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256("\n".join([*parts, canonical]).encode())
    return f"sha256:{digest.hexdigest()}"


_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")


def neutral_placeholders(text: str, aliases: Mapping[str, str]) -> str:
    """Rename the helpdesk's template variables to the engine's (``{{requester.name}}``).

    Knowledge is listed without a ticket, so nothing can be rendered here; the
    engine's renderer fills the neutral names from the ticket it answers.
    Variables without an alias stay as they are, which the engine treats as an
    unfilled gap (never auto-resolved).
    """

    def rename(match: re.Match[str]) -> str:
        neutral = aliases.get(match.group(1).lower())
        return f"{{{{{neutral}}}}}" if neutral else match.group(0)

    return _VARIABLE.sub(rename, text)


def probe_receiver(
    client: httpx.Client, url: str, headers: Mapping[str, str], body: Any
) -> tuple[bool, str]:
    """Send one test delivery to our receiver: (whether it accepted the secret, what it
    proved, in words).

    The body deliberately lacks a ticket id: a receiver that accepts the secret
    answers 400 naming the field and enqueues nothing. Never raises; an
    unreachable receiver is reported, not an error.
    """
    try:
        # A bare Auth adds nothing: the helpdesk's credentials must never reach the receiver.
        answer = client.post(url, json=body, headers=dict(headers), auth=httpx.Auth())
    except httpx.HTTPError as exc:
        return False, f"test delivery to {url} failed: {exc.__class__.__name__}: {exc}"
    if answer.status_code == 400 and "ticket" in answer.text:
        return True, (f"test delivery to {url}: the receiver accepted the secret "
                      "(checked, nothing queued)")
    if answer.status_code == 401:
        return False, (f"test delivery to {url} was refused (401): the receiver's webhook "
                       "secret differs from this one")
    return False, f"test delivery to {url} answered HTTP {answer.status_code}: {answer.text[:200]}"
