"""Evaluate the ``rules:`` section (`core.rule_settings`) against one ticket.

Rules see the ticket's own fields, its requester, the signals, the money amounts in
the customer's text, business hours and the SLA time left, but never the scorer's
answer: they run before it, so an excluded ticket is never sent to a model, and a
threshold sweep stays exact. Pure: `now` comes from the caller. Never raises for
settings that passed validation.

Each rule that fires adds a `Reason` with code ``rule:<name as a tag>`` and rule
``rules.list[<i>] <name>``, so every decision records it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.amounts import amounts
from core.hours import is_open
from core.language import language_of
from core.models import (
    Action,
    AddTags,
    Assign,
    Path,
    Priority,
    Reason,
    SetPriority,
    Signal,
    Ticket,
)
from core.rule_settings import (
    ACTIONS,
    Compare,
    FieldTest,
    RequesterCondition,
    Rule,
    RuleRoute,
    RulesSettings,
    TicketCondition,
    When,
)
from core.settings import BusinessHours
from core.text import tag_safe
from core.triggers import HIGH_RISK, customer_texts

RULE = "rule"
_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")


@dataclass(frozen=True)
class Test:
    """One condition of a rule, whether it held, and what was seen."""

    condition: str
    held: bool
    seen: str


@dataclass(frozen=True)
class Check:
    """One rule as evaluated: its tests, and whether it matched (and so applied)."""

    index: int
    rule: Rule
    matched: bool
    tests: tuple[Test, ...]
    applied: bool = False

    @property
    def reason(self) -> Reason:
        detail = "; ".join(f"{t.condition}: {t.seen}" for t in self.tests) or "always"
        return Reason(code=f"{RULE}:{tag_safe(self.rule.name)}",
                      rule=f"rules.list[{self.index}] {self.rule.name}", detail=detail)


@dataclass(frozen=True)
class Ruling:
    """What the applied rules do together; empty when none applied."""

    checks: tuple[Check, ...] = ()
    action: str | None = None
    action_reason: Reason | None = None
    route: RuleRoute | None = None
    priority: Priority | None = None
    ladder: str | None = None
    tags: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = field(default=())


@dataclass(frozen=True)
class Facts:
    """What rules may look at, gathered once per ticket."""

    ticket: Ticket
    signals: frozenset[str]
    text: str
    now: datetime | None
    hours: BusinessHours | None
    language: str = ""


def evaluate(
    rules: RulesSettings, ticket: Ticket, signals: Sequence[Signal], now: datetime | None,
    hours: BusinessHours | None,
) -> Ruling:
    """Every enabled rule tested in order; with ``first_match`` the ones after the first
    match are still tested (for `handoff policy test`) but not applied."""
    if not rules.list:
        return Ruling()
    facts = Facts(ticket, frozenset(s.name for s in signals),
                  "\n".join(customer_texts(ticket)), now, hours, language_of(signals, ""))
    checks: list[Check] = []
    for index, rule in enumerate(rules.list):
        if not rule.enabled:
            continue
        tests = tuple(_tests(rule.when, facts))
        matched = all(t.held for t in tests)
        first = not any(c.applied for c in checks)
        applies = matched and (rules.combine == "all" or first)
        checks.append(Check(index, rule, matched, tests, applies))
    return _combine(tuple(checks))


def _combine(checks: tuple[Check, ...]) -> Ruling:
    applied = [c for c in checks if c.applied]
    acting = sorted((c for c in applied if c.rule.then.action),
                    key=lambda c: ACTIONS.index(c.rule.then.action or ""))
    first = acting[0] if acting else None
    return Ruling(
        checks=checks,
        action=first.rule.then.action if first else None,
        action_reason=first.reason if first else None,
        route=next((c.rule.then.route for c in applied if c.rule.then.route), None),
        priority=next((c.rule.then.priority for c in applied if c.rule.then.priority), None),
        ladder=next((c.rule.then.ladder for c in applied if c.rule.then.ladder), None),
        tags=tuple(dict.fromkeys(t for c in applied for t in c.rule.then.tags)),
        reasons=tuple(c.reason for c in applied),
    )


def with_rules(actions: Sequence[Action], path: Path, ruling: Ruling) -> tuple[Action, ...]:
    """`actions` with the applied rules' writes: their tags on every path that writes;
    their route and priority (replacing the routing table's) on drafts and escalations."""
    if not actions:
        return tuple(actions)
    routed = path in (Path.ESCALATE, Path.DRAFT)
    out: list[Action] = []
    for action in actions:
        if isinstance(action, AddTags) and ruling.tags:
            action = AddTags(tags=tuple(dict.fromkeys((*action.tags, *ruling.tags))))
        elif routed and isinstance(action, Assign | SetPriority) and _overridden(action, ruling):
            continue
        out.append(action)
    if ruling.tags and not any(isinstance(a, AddTags) for a in out):
        out.append(AddTags(tags=ruling.tags))
    if routed and ruling.route is not None:
        out.insert(_after_tags(out), Assign(group=ruling.route.group,
                                             assignee=ruling.route.assignee))
    if routed and ruling.priority is not None:
        out.insert(_after_tags(out), SetPriority(priority=ruling.priority))
    return tuple(out)


def _overridden(action: Assign | SetPriority, ruling: Ruling) -> bool:
    return ruling.route is not None if isinstance(action, Assign) else ruling.priority is not None


def _after_tags(actions: Sequence[Action]) -> int:
    tags = [i for i, a in enumerate(actions) if isinstance(a, AddTags)]
    return tags[-1] + 1 if tags else len(actions)


def _tests(when: When, facts: Facts) -> Iterable[Test]:
    if when.signals:
        yield _signals_test("signals", when.signals, facts)
    if when.topics:
        yield _signals_test("topics", tuple(f"{HIGH_RISK}:{t}" for t in when.topics), facts)
    if when.requester is not None:
        yield from _requester_tests(when.requester, facts)
    if when.ticket is not None:
        yield from _ticket_tests(when.ticket, facts.ticket)
    if when.amount is not None:
        found = [a for a in amounts(facts.text)
                 if when.amount.currency in (None, a.currency)]
        hits = [a.text for a in found if when.amount.holds(float(a.value))]
        wanted = f"amount {when.amount.text()} {when.amount.currency or '(any currency)'}"
        seen = ", ".join(hits or [a.text for a in found]) or "no amount in the text"
        yield Test(wanted, bool(hits), seen)
    if when.hours is not None:
        inside = facts.hours is not None and facts.now is not None \
            and is_open(facts.hours, facts.now)
        when_text = facts.now.isoformat() if facts.now else "no time"
        yield Test(f"hours.business={when.hours.business}", inside == when.hours.business,
                   f"{when_text} is {'inside' if inside else 'outside'} business hours")
    if when.sla_minutes_left is not None:
        yield _sla_test(when.sla_minutes_left, facts)
    if when.language:
        codes = {code.lower() for code in when.language}
        yield Test(f"language in {', '.join(when.language)}", facts.language in codes,
                   f"language {facts.language or 'unknown'}")
    if when.any:
        options = [tuple(_tests(w, facts)) for w in when.any]
        held = [i for i, tests in enumerate(options) if all(t.held for t in tests)]
        yield Test(f"any of {len(options)}", bool(held),
                   f"alternative {held[0] + 1} holds" if held else "none holds")


def _signals_test(name: str, wanted: Sequence[str], facts: Facts) -> Test:
    hits = [w for w in wanted if any(_signal_matches(w, s) for s in facts.signals)]
    return Test(f"{name} {', '.join(wanted)}", bool(hits),
                ", ".join(hits) if hits else "none present")


def _signal_matches(wanted: str, present: str) -> bool:
    return present == wanted or (wanted.endswith(":") and present.startswith(wanted))


def _requester_tests(cond: RequesterCondition, facts: Facts) -> Iterable[Test]:
    person = facts.ticket.requester
    if cond.vip is not None:
        yield Test(f"requester.vip={cond.vip}", person.vip == cond.vip, str(person.vip))
    if cond.tags:
        yield _any_of("requester.tags", cond.tags, person.tags)
    if cond.organization:
        yield _any_of("requester.organization", cond.organization,
                      (person.organization,) if person.organization else ())
    if cond.tenure_days is not None:
        name = f"requester.tenure_days {cond.tenure_days.text()}"
        if person.created_at is None or facts.now is None:
            yield Test(name, False, "unknown (no account creation date)")
        else:
            days = (facts.now - person.created_at).total_seconds() / 86400
            yield Test(name, cond.tenure_days.holds(days), f"{days:.1f} days")
    yield from _field_tests("requester.fields", cond.fields, person.fields)
    yield from _field_tests("requester.organization_fields", cond.organization_fields,
                            person.organization_fields)


def _ticket_tests(cond: TicketCondition, ticket: Ticket) -> Iterable[Test]:
    for name in ("channel", "brand", "form", "type", "priority"):
        wanted: tuple[str, ...] = getattr(cond, name)
        if wanted:
            value = getattr(ticket, name)
            yield _any_of(f"ticket.{name}", wanted, (str(value),) if value else ())
    if cond.tags:
        yield _any_of("ticket.tags", cond.tags, ticket.tags)
    yield from _field_tests("ticket.fields", cond.fields, ticket.custom_fields)


def _any_of(name: str, wanted: Sequence[str], present: Sequence[str]) -> Test:
    have = {p.casefold() for p in present}
    hits = [w for w in wanted if w.casefold() in have]
    return Test(f"{name} in {', '.join(map(str, wanted))}", bool(hits),
                ", ".join(present) or "(none)")


def _field_tests(prefix: str, tests: Mapping[str, FieldTest],
                 values: Mapping[str, str]) -> Iterable[Test]:
    for key, test in tests.items():
        value = values.get(key)
        if isinstance(test, Compare):
            number = _number(value)
            yield Test(f"{prefix}.{key} {test.text()}",
                       number is not None and test.holds(number),
                       "(not set)" if value is None else value)
        else:
            # Connectors write a multi-select field as its options joined with commas.
            options = tuple(v.strip() for v in value.split(",")) if value is not None else ()
            yield _any_of(f"{prefix}.{key}", test, options)


def _number(value: str | None) -> float | None:
    """A plain number, or one with thousands commas ("1,200.50"); anything else is None
    (so a multi-select "1,2" is not the number 12)."""
    if value is None:
        return None
    text = value.strip()
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def _sla_test(bounds: Compare, facts: Facts) -> Test:
    name = f"sla_minutes_left {bounds.text()}"
    due = facts.ticket.sla_due_at
    if due is None or facts.now is None:
        return Test(name, False, "no SLA due time")
    left = (due - facts.now).total_seconds() / 60
    return Test(name, bounds.holds(left), f"{left:.0f} min")
