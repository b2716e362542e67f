"""Every helpdesk id the settings name, with where it is named.

``handoff check-config --online`` asks each helpdesk whether these exist. Groups
and agents are named by routing (`routing.default`, `routing.by_reason`), rules
(``then.route``) and escalation ladders; agents also by a platform's
``ai_user_id``. Custom fields are named by the keys of ``triggers.vip_fields``
(ticket fields) and of a rule's ``when.ticket.fields``, ``when.requester.fields``
and ``when.requester.organization_fields`` (also inside ``any:``). Pure: nothing
here does I/O or raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from core.rule_settings import When
from core.settings import Settings


class IdKind(StrEnum):
    """What an id names; Gorgias calls a group a team."""

    GROUP = "group"
    AGENT = "agent"
    TICKET_FIELD = "ticket field"
    USER_FIELD = "requester field"
    ORGANIZATION_FIELD = "organization field"


@dataclass(frozen=True)
class IdRef:
    """One id named in the settings: its kind, its value and its key path (`where`).

    `platform` is set for an id that belongs to one helpdesk only (``ai_user_id``).
    """

    kind: IdKind
    value: str
    where: str
    platform: str | None = None


def references(settings: Settings) -> list[IdRef]:
    """Every id the settings name, in the order of the file's sections."""
    return [*_routing(settings), *_rules(settings), *_ladders(settings),
            *_vip_fields(settings), *_api_users(settings)]


def _route(where: str, group: str | None, assignee: str | None) -> Iterator[IdRef]:
    if group is not None:
        yield IdRef(IdKind.GROUP, group, f"{where}.group")
    if assignee is not None:
        yield IdRef(IdKind.AGENT, assignee, f"{where}.assignee")


def _routing(settings: Settings) -> Iterator[IdRef]:
    routing = settings.routing
    yield from _route("routing.default", routing.default.group, routing.default.assignee)
    for code, route in routing.by_reason.items():
        yield from _route(f"routing.by_reason.{code}", route.group, route.assignee)


def _rules(settings: Settings) -> Iterator[IdRef]:
    for index, rule in enumerate(settings.rules.list):
        where = f"rules.list[{index}]"
        yield from _conditions(f"{where}.when", rule.when)
        route = rule.then.route
        if route is not None:
            yield from _route(f"{where}.then.route", route.group, route.assignee)


def _conditions(where: str, when: When) -> Iterator[IdRef]:
    if when.ticket is not None:
        for name in when.ticket.fields:
            yield IdRef(IdKind.TICKET_FIELD, name, f"{where}.ticket.fields.{name}")
    if when.requester is not None:
        for name in when.requester.fields:
            yield IdRef(IdKind.USER_FIELD, name, f"{where}.requester.fields.{name}")
        for name in when.requester.organization_fields:
            yield IdRef(IdKind.ORGANIZATION_FIELD, name,
                        f"{where}.requester.organization_fields.{name}")
    for index, alternative in enumerate(when.any):
        yield from _conditions(f"{where}.any[{index}]", alternative)


def _ladders(settings: Settings) -> Iterator[IdRef]:
    for name, levels in settings.escalation.ladders.items():
        for index, level in enumerate(levels):
            yield from _route(f"escalation.ladders.{name}[{index}]", level.group, level.assignee)


def _vip_fields(settings: Settings) -> Iterator[IdRef]:
    for name in settings.triggers.vip_fields:
        yield IdRef(IdKind.TICKET_FIELD, name, f"triggers.vip_fields.{name}")


def _api_users(settings: Settings) -> Iterator[IdRef]:
    for platform, section in settings.platforms.enabled().items():
        value = getattr(section, "ai_user_id", None)
        if value is not None:
            yield IdRef(IdKind.AGENT, str(value), f"platforms.{platform}.ai_user_id", platform)
