"""The platform-neutral writes planned for each path, in the order they apply.

- auto_resolve: public reply, tags, status solved.
- draft: internal note with the draft and its sources, tags.
- escalate: handoff note, tags (one per reason), assignment, priority, status
  open, then a short honest public message for the customer.
- skip: nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from core.messages import customer_message as localised_message
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
from core.policy import family, for_primary
from core.settings import Route, RoutingSettings, TagSettings
from core.text import tag_safe, unique

T = TypeVar("T")

REASON_TAG_PREFIX = "handoff_"

_ON_IT = "They'll reply here as soon as possible."
CUSTOMER_MESSAGES: dict[str, str] = {
    "human_request": f"Of course \u2014 I'm connecting you with a member of our team. {_ON_IT}",
    "high_risk:refund": (
        f"I've passed your refund request to our team so they can review it. {_ON_IT}"
    ),
    "high_risk:billing": (
        f"I've passed this to our team so they can check the charges on your order. {_ON_IT} "
        "Please don't share full card numbers in this conversation."
    ),
    "high_risk:security": (
        f"I've passed this to our team as a priority so they can secure your account. {_ON_IT} "
        "Please don't share your password with anyone, including us."
    ),
    "high_risk:cancellation": (
        f"I've passed your cancellation request to our team so they can take care of it. {_ON_IT}"
    ),
    "high_risk": (
        f"This needs a member of our team, so I've passed it on with your details. {_ON_IT}"
    ),
}
DEFAULT_CUSTOMER_MESSAGE = (
    "Thanks for your message. I want to make sure you get the right answer, so I've passed it "
    f"to a member of our team. {_ON_IT}"
)


def plan(
    path: Path,
    reasons: Sequence[Reason],
    reply: str | None,
    note: str,
    tags: TagSettings,
    routing: RoutingSettings,
    language: str = "en",
    after_hours: str | None = None,
) -> tuple[Action, ...]:
    """The actions for `path`. `reply` is the answer (auto-resolve), `note` the internal
    note (draft and escalate). The customer's escalation message is in `language` where
    a template exists, and says when people are back if `after_hours` holds the hours.
    Never raises; an auto-resolve without a reply plans nothing.
    """
    if path is Path.AUTO_RESOLVE and reply:
        return (
            PublicReply(body=reply),
            AddTags(tags=tags.auto_resolve),
            SetStatus(status=Status.SOLVED),
        )
    if path is Path.DRAFT:
        return (InternalNote(body=note), AddTags(tags=tags.draft))
    if path is Path.ESCALATE:
        return _escalation(reasons, note, tags, routing, language, after_hours)
    return ()


def _escalation(
    reasons: Sequence[Reason],
    note: str,
    tags: TagSettings,
    routing: RoutingSettings,
    language: str = "en",
    after_hours: str | None = None,
) -> tuple[Action, ...]:
    reason_tags = (tag_safe(REASON_TAG_PREFIX + r.code) for r in reasons)
    actions: list[Action] = [
        InternalNote(body=note),
        AddTags(tags=unique((*tags.escalate, *reason_tags))),
    ]
    route = route_for(reasons, routing)
    if route.group or route.assignee:
        actions.append(Assign(group=route.group, assignee=route.assignee))
    if route.priority is not None:
        actions.append(SetPriority(priority=route.priority))
    actions.append(SetStatus(status=Status.OPEN))
    if language == "en" and after_hours is None:
        actions.append(PublicReply(body=customer_message(reasons)))
    else:
        actions.append(PublicReply(body=localised_message(reasons, language, after_hours)))
    return tuple(actions)


def route_for(reasons: Sequence[Reason], routing: RoutingSettings) -> Route:
    """The most specific route for `reasons`, else ``routing.default``.

    Qualified codes (``high_risk:refund``) are tried before unqualified ones, and
    each is followed by its family (``high_risk``); ties keep the reasons' order.
    So a refund request from someone who also asked for a human goes to the
    refund route, then the high-risk route, then the human-request route.
    """
    found = most_specific(reasons, routing.by_reason)
    return found if found is not None else routing.default


def most_specific(reasons: Sequence[Reason], table: Mapping[str, T]) -> T | None:
    """`table`'s entry for the most specific reason code (see `route_for`), or None."""
    ordered = sorted(reasons, key=lambda r: ":" not in r.code)
    for key in unique(k for r in ordered for k in (r.code, family(r.code))):
        if key in table:
            return table[key]
    return None


def customer_message(reasons: Sequence[Reason]) -> str:
    """What the customer is told for the primary reason: exact code, family, else default."""
    return for_primary(CUSTOMER_MESSAGES, reasons, DEFAULT_CUSTOMER_MESSAGE)
