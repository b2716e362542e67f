"""Custom-field values as the strings `core.models` keeps.

Helpdesks send custom-field values as strings, numbers, booleans, lists
(multi-select) or objects. Policy rules compare text, so every value becomes
one deterministic string; an absent value (None, an empty list) is left out.
Pure functions; nothing here raises.
"""

from __future__ import annotations

import json
from typing import Any

from core.models import Attachment


def field_text(value: Any) -> str | None:
    """`value` as text: booleans as ``true``/``false``, numbers as written, a list's
    items joined with ``,`` in their order, an object as sorted compact JSON;
    None for None and for a list with nothing in it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        parts = [text for text in map(field_text, value) if text is not None]
        return ",".join(parts) if parts else None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def text_fields(raw: Any) -> dict[str, str]:
    """A JSON object of custom fields as ``{name: text}``; empty for anything else."""
    if not isinstance(raw, dict):
        return {}
    found = ((str(name), field_text(value)) for name, value in raw.items())
    return {name: text for name, text in found if text is not None}


def locale_text(*values: Any) -> str | None:
    """The first of `values` that looks like a locale or language code (``de``, ``pt-BR``,
    ``en_US``); None when none does. Helpdesks send these as strings or leave them null;
    anything else (a number, an object, a blank string) is skipped."""
    for value in values:
        if isinstance(value, str) and 2 <= len(value.strip()) <= 16 and value.strip()[:2].isalpha():
            return value.strip()
    return None


def attachments(raw: Any, url_key: str, name_key: str = "name") -> tuple[Attachment, ...]:
    """A message's listed attachments (each platform names the file and its address its
    own way: `name_key`, `url_key`); entries without a name, and a size that is not a
    whole number, are left out rather than failing the ticket."""
    found: list[Attachment] = []
    for item in raw if isinstance(raw, list) else []:
        name = str(item.get(name_key) or "").strip() if isinstance(item, dict) else ""
        if not name:
            continue
        size = item.get("size")
        url, kind = item.get(url_key), item.get("content_type")
        found.append(Attachment(
            name=name, content_type=str(kind) if kind else None,
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            url=str(url) if isinstance(url, str) and url.startswith(("https://", "http://"))
            else None))
    return tuple(found)
