"""The ``rules:`` section: policy rules on ticket attributes, as ops write them.

```yaml
rules:
  combine: first_match        # or: all
  list:
    - name: billing disputes over $500
      when: {signals: [high_risk:billing], amount: {over: 500, currency: USD}}
      then: {action: escalate, route: {group: "360001"}, priority: high}
```

Every key of `when` must hold; `any:` holds when one of its alternatives does. An
unknown key, an empty `then`, or a comparison without a bound fails at start-up
like every other setting (`core.settings.parse_settings`). Evaluation is in
`core.rules`.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from core.models import Priority
from core.platform_settings import Section as _Section

ACTIONS = ("exclude", "escalate", "draft", "never_auto_resolve")
"""Path actions, most cautious first: with ``combine: all`` the first of these wins."""


class Compare(_Section):
    """A numeric test; every bound given must hold (``{over: 90, at_most: 365}``)."""

    over: float | None = None
    under: float | None = None
    at_least: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if all(v is None for v in (self.over, self.under, self.at_least, self.at_most)):
            raise ValueError("give at least one of over, under, at_least, at_most")
        return self

    def holds(self, value: float) -> bool:
        """Whether `value` passes every bound."""
        return ((self.over is None or value > self.over)
                and (self.under is None or value < self.under)
                and (self.at_least is None or value >= self.at_least)
                and (self.at_most is None or value <= self.at_most))

    def text(self) -> str:
        """The bounds as words: "over 500 and at most 900"."""
        parts = [f"{name.replace('_', ' ')} {value:g}"
                 for name, value in (("over", self.over), ("under", self.under),
                                     ("at_least", self.at_least), ("at_most", self.at_most))
                 if value is not None]
        return " and ".join(parts)


class AmountCondition(Compare):
    """An amount in the customer's text passes the bounds; `currency` is an ISO code
    (any currency when unset). Amounts in other currencies are not converted."""

    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


FieldTest = tuple[str, ...] | Compare
"""A field holds one of these values (case-insensitive), or a number passing the bounds."""


class RequesterCondition(_Section):
    vip: bool | None = None
    tags: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    tenure_days: Compare | None = None
    fields: dict[str, FieldTest] = Field(default_factory=dict)
    organization_fields: dict[str, FieldTest] = Field(default_factory=dict)


class TicketCondition(_Section):
    channel: tuple[str, ...] = ()
    brand: tuple[str, ...] = ()
    form: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    priority: tuple[Priority, ...] = ()
    tags: tuple[str, ...] = ()
    fields: dict[str, FieldTest] = Field(default_factory=dict)


class HoursCondition(_Section):
    """``business: true`` holds inside `routing.business_hours`, ``false`` outside."""

    business: bool


class When(_Section):
    """Conditions, all of which must hold. An empty `when` always holds."""

    signals: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    requester: RequesterCondition | None = None
    ticket: TicketCondition | None = None
    amount: AmountCondition | None = None
    hours: HoursCondition | None = None
    sla_minutes_left: Compare | None = None
    # The customer's language (ISO 639-1, `core.language`) is one of these.
    language: tuple[str, ...] = ()
    any: tuple[When, ...] = ()


class RuleRoute(_Section):
    group: str | None = None
    assignee: str | None = None


class Then(_Section):
    """What a matching rule does; at least one key."""

    action: Literal["exclude", "escalate", "draft", "never_auto_resolve"] | None = None
    route: RuleRoute | None = None
    priority: Priority | None = None
    tags: tuple[str, ...] = ()
    ladder: str | None = None

    @model_validator(mode="after")
    def _does_something(self) -> Self:
        if (self.action is None and self.route is None and self.priority is None
                and not self.tags and self.ladder is None):
            raise ValueError("a rule must do something: action, route, priority, tags or ladder")
        return self


class Rule(_Section):
    name: str = Field(min_length=1)
    when: When = When()
    then: Then
    enabled: bool = True


class RulesSettings(_Section):
    """`first_match`: only the first matching rule applies. `all`: every matching rule
    applies; the most cautious action wins (see `ACTIONS`), the first rule to set the
    route, priority or ladder sets it, and tags add up."""

    combine: Literal["first_match", "all"] = "first_match"
    list: tuple[Rule, ...] = ()

    def uses_hours(self) -> bool:
        """Whether any rule tests business hours (they must then be configured)."""
        return any(_uses_hours(rule.when) for rule in self.list)


def _uses_hours(when: When) -> bool:
    return when.hours is not None or any(_uses_hours(w) for w in when.any)
