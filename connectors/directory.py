"""Read-only lookups of a helpdesk's groups, agents and custom fields.

``handoff check-config --online`` uses them through `Directory`, which each
connector holds as its ``directory`` part (`connectors.<platform>.directory`). A
lookup answers, per id, `Found`: yes, no, or `None` with a note when the
helpdesk cannot tell (for example fields Handoff does not read there).
Credentials are proven by `Directory.whoami`. Failures are the connectors' own
errors: PermanentError (401/403, or an answer of the wrong shape) and
TransientError (unreachable after retries).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol

from core.errors import PermanentError
from core.id_refs import IdKind


@dataclass(frozen=True)
class Found:
    """Whether an id exists (`exists` None: not checkable here, `note` says why), and its
    name where the helpdesk gave one."""

    exists: bool | None
    note: str = ""
    name: str | None = None


class Directory(Protocol):
    """What the online check needs from a connector."""

    def whoami(self) -> str:
        """The API user's id, from a call that needs valid credentials.

        Raises PermanentError (401/403: the credentials are refused) or
        TransientError (the helpdesk cannot be reached).
        """

    def lookup(self, kind: IdKind, ids: Collection[str]) -> dict[str, Found]:
        """Whether each of `ids` names a `kind` in the helpdesk.

        Raises PermanentError or TransientError when the helpdesk refuses or
        cannot be reached; a 404 for one id is an answer (not found), not an error.
        """


def by_id(ids: Collection[str], fetch: Callable[[str], Any],
          check: Callable[[Any], str] | None = None) -> dict[str, Found]:
    """One ``GET`` per numeric id: 404 is "no such"; `check` returns a reason an
    answer does not count (an end user named as an agent), or "" when it does.

    A non-numeric id cannot exist on these APIs and is not asked for.
    """
    found: dict[str, Found] = {}
    for value in ids:
        if not value.isdigit():
            found[value] = Found(False, "not a numeric id")
            continue
        try:
            answer = fetch(value)
        except PermanentError as exc:
            if exc.status != 404:
                raise
            found[value] = Found(False)
            continue
        reason = check(answer) if check is not None else ""
        found[value] = Found(not reason, reason, name_in(answer))
    return found


def name_in(answer: Any) -> str | None:
    """The ``name`` of a looked-up object: at the top (Freshdesk's group, Gorgias's team
    and user) or one level down (Zendesk's ``{"group": {...}}``, ``{"user": {...}}``,
    Freshdesk's agent ``{"contact": {...}}``); None when there is none."""
    if not isinstance(answer, dict):
        return None
    for holder in (answer, *(v for v in answer.values() if isinstance(v, dict))):
        name = holder.get("name")
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def in_list(ids: Collection[str], known: Collection[str]) -> dict[str, Found]:
    """Each id looked up in one listing of everything there is."""
    return {value: Found(value in known) for value in ids}


def not_read(ids: Collection[str], note: str) -> dict[str, Found]:
    """Ids the helpdesk cannot confirm, each with the same `note`."""
    return {value: Found(None, note) for value in ids}
