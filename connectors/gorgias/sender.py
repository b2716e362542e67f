"""Which address a Gorgias email reply is sent from, and the draft when none is known.

Pure functions used by `connectors.gorgias.connector`; nothing here does I/O.

A reply must leave from the address of one of the account's email integrations,
never from the API user's login. The ticket's own messages name it first
(`connectors.gorgias.payloads.reply_route`); else the integrations list
(``GET /api/integrations``) does. The integration object is documented with
``id``, ``type``, ``name`` ("usually the email address") and ``meta``, and
``deactivated_datetime``; the email types (``email``, ``gmail``, ``outlook``)
and an address in ``meta.address`` are UNCONFIRMED, so an integration counts
when its type is one of those, its address read from ``meta.address`` else from
a ``name`` that is an address. When nothing names one address, the reply is
posted as an internal note saying why, and the batch's status change is left
out so the ticket stays in the agents' queue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from core.fallback import REJECTED_TAG
from core.models import Action, AddTags, InternalNote, PublicReply, SetStatus

EMAIL_TYPES = frozenset({"email", "gmail", "outlook"})
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def integration_address(integration: dict[str, Any]) -> dict[str, str] | None:
    """The sending address of an active email integration, or None for any other."""
    if integration.get("type") not in EMAIL_TYPES or integration.get("deactivated_datetime"):
        return None
    meta = integration.get("meta")
    found = meta.get("address") if isinstance(meta, dict) else None
    name = integration.get("name")
    if not (isinstance(found, str) and _ADDRESS.match(found)):
        found = name if isinstance(name, str) and _ADDRESS.match(name) else None
    if found is None:
        return None
    shown = name if isinstance(name, str) and name != found else ""
    return {"address": found, "name": shown}


def pick_address(
    integrations: Sequence[dict[str, Any]], wanted: int | None
) -> tuple[dict[str, str] | None, str]:
    """(address, reason): the integration `wanted` (an id a message of the ticket named),
    else the account's only email integration. With none or several the address is
    None and `reason` says why, for the draft note."""
    usable = [(i.get("id"), address) for i in integrations
              if (address := integration_address(i)) is not None]
    for identifier, address in usable:
        if wanted is not None and identifier == wanted:
            return address, ""
    if len(usable) == 1:
        return usable[0][1], ""
    if not usable:
        return None, "Gorgias lists no active email integration to send it from"
    listed = ", ".join(address["address"] for _, address in usable)
    return None, (f"Gorgias lists several email integrations ({listed}) and nothing on the "
                  "ticket says which one it belongs to")


def needs_sender(actions: Sequence[Action], channel: str, ours: Any, customer: Any) -> bool:
    """Whether the batch holds an email reply whose sending address is still unknown."""
    return (channel == "email" and customer is not None and ours is None
            and any(isinstance(a, PublicReply) for a in actions))


def as_draft(actions: Sequence[Action], reason: str) -> tuple[Action, ...]:
    """The batch with its public reply turned into an internal note that says why and
    holds the reply, without its status change (nobody was answered), and with
    `core.fallback.REJECTED_TAG` in place of any tags it would have added: those say
    what the reply would have done (``handoff_auto_resolved``), which did not happen."""
    kept: list[Action] = []
    for action in actions:
        if isinstance(action, PublicReply):
            kept.append(InternalNote(body=(
                f"Handoff did not send this reply: no email address to send it from is known "
                f"for this ticket ({reason}). Check it and send it yourself from the right "
                f"address:\n\n{action.body}")))
        elif not isinstance(action, SetStatus | AddTags):
            kept.append(action)
    if any(isinstance(a, AddTags) for a in actions):
        kept.append(AddTags(tags=(REJECTED_TAG,)))
    return tuple(kept)
