"""The platform-neutral writes planned for each path, in the order they apply.

- auto_resolve: public reply ending with the way to a person, tags, status solved.
- draft: internal note with the draft and its sources, tags.
- escalate: handoff note, tags (one per reason), assignment, priority, status
  open, then a short honest public message for the customer.
- skip: nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from core.language_settings import LanguageSettings
from core.messages import customer_message, reach_person
from core.models import (
    Action,
    AddTags,
    Assign,
    InternalNote,
    Path,
    PublicReply,
    Reason,
    SetPriority,
    SetStatus,
    Status,
)
from core.offer import HUMAN_OFFERED
from core.policy import family
from core.settings import Route, RoutingSettings, TagSettings
from core.text import tag_safe, unique

T = TypeVar("T")

REASON_TAG_PREFIX = "handoff_"

def plan(
    path: Path,
    reasons: Sequence[Reason],
    reply: str | None,
    note: str,
    tags: TagSettings,
    routing: RoutingSettings,
    language: str = "en",
    after_hours: str | None = None,
    languages: LanguageSettings | None = None,
) -> tuple[Action, ...]:
    """The actions for `path`. `reply` is the answer (auto-resolve), sent with the line
    saying how to reach a person in `language` below it (unless the reply offers a
    person already, reason ``human_offered``); `note` the internal note
    (draft and escalate). The customer's escalation message is in `language` where
    a template exists, and says when people are back if `after_hours` holds the hours.
    Never raises; an auto-resolve without a reply plans nothing.
    """
    if path is Path.AUTO_RESOLVE and reply:
        offered = any(r.code == HUMAN_OFFERED for r in reasons)
        way = "" if offered else reach_person(language, languages)
        return (
            PublicReply(body=f"{reply}\n\n{way}" if way else reply),
            AddTags(tags=tags.auto_resolve),
            SetStatus(status=Status.SOLVED),
        )
    if path is Path.DRAFT:
        return (InternalNote(body=note), AddTags(tags=tags.draft))
    if path is Path.ESCALATE:
        return _escalation(reasons, note, tags, routing, language, after_hours, languages)
    return ()


def _escalation(
    reasons: Sequence[Reason],
    note: str,
    tags: TagSettings,
    routing: RoutingSettings,
    language: str = "en",
    after_hours: str | None = None,
    languages: LanguageSettings | None = None,
) -> tuple[Action, ...]:
    reason_tags = (tag_safe(REASON_TAG_PREFIX + r.code) for r in reasons)
    actions: list[Action] = [
        InternalNote(body=note),
        AddTags(tags=unique((*tags.escalate, *reason_tags))),
    ]
    route = route_for(reasons, routing, language)
    if route.group or route.assignee:
        actions.append(Assign(group=route.group, assignee=route.assignee))
    if route.priority is not None:
        actions.append(SetPriority(priority=route.priority))
    actions.append(SetStatus(status=Status.OPEN))
    actions.append(PublicReply(body=customer_message(reasons, language, after_hours, languages)))
    return tuple(actions)


def route_for(
    reasons: Sequence[Reason], routing: RoutingSettings, language: str | None = None
) -> Route:
    """The most specific route for `reasons`, then the customer's `language`
    (``routing.by_language``), else ``routing.default``.

    Qualified codes (``high_risk:refund``) are tried before unqualified ones, and
    each is followed by its family (``high_risk``); ties keep the reasons' order.
    So a refund request from someone who also asked for a human goes to the
    refund route, then the high-risk route, then the human-request route. A
    language route fills what the reason's route leaves unset (a security route
    that only sets the priority still reaches the German team).
    """
    found = most_specific(reasons, routing.by_reason)
    spoken = routing.by_language.get(language) if language else None
    if found is None or spoken is None:
        return found or spoken or routing.default
    return Route(group=found.group or (None if found.assignee else spoken.group),
                 assignee=found.assignee or (None if found.group else spoken.assignee),
                 priority=found.priority or spoken.priority)


def most_specific(reasons: Sequence[Reason], table: Mapping[str, T]) -> T | None:
    """`table`'s entry for the most specific reason code (see `route_for`), or None."""
    ordered = sorted(reasons, key=lambda r: ":" not in r.code)
    for key in unique(k for r in ordered for k in (r.code, family(r.code))):
        if key in table:
            return table[key]
    return None
