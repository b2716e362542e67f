"""Policy rules: conditions at their boundaries, order and combination, and their effect on
the decision (path, route, priority, tags, the reason recorded)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path as FilePath
from typing import Any

import pytest
import yaml

from core.engine import decide
from core.errors import ConfigError
from core.knowledge import KnowledgeDoc
from core.models import AddTags, Assign, Message, Path, Requester, Role, SetPriority, Source, Ticket
from core.rules import evaluate
from core.scorer import Answer
from core.settings import Settings, parse_settings
from core.triggers import detect

DOC = KnowledgeDoc(id="track", title="Track your order", category="ORDERS",
                   examples=("Where is my order?",), body="Open Account > Orders.")
WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday


class Sure:
    """A scorer that always answers with `confidence`, grounded in one article."""

    docs = ()
    frustration = None
    human_model = None

    def __init__(self, confidence: float = 0.95) -> None:
        self.confidence = confidence
        self.calls = 0

    def answer(self, ticket: Ticket) -> Answer:
        self.calls += 1
        return Answer(reply="Open Account > Orders.", confidence=self.confidence, doc=DOC,
                      sources=(Source(id="track", title="Track your order", score=0.9),))


def ticket(text: str = "Where is my order?", *, created: datetime | None = None,
           when: datetime = WHEN, **fields: Any) -> Ticket:
    return Ticket(id="t-1", platform="test", requester=Requester(id="r", created_at=created),
                  messages=(Message(author=Role.CUSTOMER, text=text, created_at=when),), **fields)


def settings(rules: list[dict[str, Any]], combine: str = "first_match",
             **extra: Any) -> Settings:
    return Settings.model_validate({"rules": {"combine": combine, "list": rules}, **extra})


NEW_CUSTOMERS = {"name": "new customers go to a senior",
                 "when": {"requester": {"tenure_days": {"under": 90}}},
                 "then": {"action": "escalate", "route": {"group": "seniors"}}}


@pytest.mark.parametrize(("age", "matched"), [
    (timedelta(days=89, hours=23, minutes=59), True),
    (timedelta(days=90), False),
    (timedelta(days=400), False),
])
def test_tenure_rule_at_its_boundary(age: timedelta, matched: bool) -> None:
    decision = decide(ticket(created=WHEN - age), Sure(), settings([NEW_CUSTOMERS]))
    assert (decision.path is Path.ESCALATE) is matched
    assert any(r.code == "rule:new_customers_go_to_a_senior" for r in decision.reasons) is matched
    if matched:
        assert Assign(group="seniors") in decision.actions


def test_tenure_is_unknown_without_a_creation_date() -> None:
    ruling = evaluate(settings([NEW_CUSTOMERS]).rules, ticket(), (), WHEN, None)
    [check] = ruling.checks
    assert not check.matched
    assert check.tests[0].seen == "unknown (no account creation date)"


AFTER_HOURS = {"name": "after hours", "when": {"hours": {"business": False}},
               "then": {"action": "draft", "tags": ["after_hours"]}}
BERLIN = {"business_hours": {"start": "09:00", "end": "17:00", "timezone": "Europe/Berlin",
                             "holidays": ["2026-12-24"]}}


@pytest.mark.parametrize(("when", "outside"), [
    (datetime(2026, 3, 2, 7, 59, tzinfo=UTC), True),     # 08:59 CET
    (datetime(2026, 3, 2, 8, 0, tzinfo=UTC), False),     # 09:00 CET
    (datetime(2026, 3, 30, 7, 30, tzinfo=UTC), False),   # 09:30 CEST, after the clock change
    (datetime(2026, 3, 2, 16, 0, tzinfo=UTC), True),     # 17:00 CET
    (datetime(2026, 12, 24, 10, 0, tzinfo=UTC), True),   # holiday
])
def test_business_hours_rule_with_time_zone_and_holiday(when: datetime, outside: bool) -> None:
    decision = decide(ticket(when=when), Sure(), settings([AFTER_HOURS], routing=BERLIN))
    assert decision.path is (Path.DRAFT if outside else Path.AUTO_RESOLVE)
    tags = next(a.tags for a in decision.actions if isinstance(a, AddTags))
    assert ("after_hours" in tags) is outside


TAG_VIP = {"name": "tag vips", "when": {"requester": {"fields": {"tier": ["gold"]}}},
           "then": {"tags": ["gold_tier"], "priority": "high"}}
GOLD_DRAFT = {"name": "gold drafts", "when": {"requester": {"fields": {"tier": ["gold"]}}},
              "then": {"action": "draft", "priority": "urgent"}}
BIG_SPENDERS = {"name": "big spenders",
                "when": {"requester": {"fields": {"lifetime_value": {"at_least": 1000}}}},
                "then": {"action": "escalate", "route": {"group": "vip-desk"}, "tags": ["ltv"]}}


def gold(ltv: str = "2500") -> Ticket:
    requester = Requester(id="r", fields={"tier": "Gold", "lifetime_value": ltv})
    return ticket().model_copy(update={"requester": requester})


def test_first_match_applies_only_the_first_rule_but_tests_them_all() -> None:
    decision = decide(gold(), Sure(), settings([GOLD_DRAFT, BIG_SPENDERS]))
    assert decision.path is Path.DRAFT
    assert [r.code for r in decision.reasons] == ["rule:gold_drafts"]
    ruling = evaluate(settings([GOLD_DRAFT, BIG_SPENDERS]).rules, gold(), (), WHEN, None)
    assert [(c.matched, c.applied) for c in ruling.checks] == [(True, True), (True, False)]


def test_rule_order_decides_under_first_match() -> None:
    decision = decide(gold(), Sure(), settings([BIG_SPENDERS, GOLD_DRAFT]))
    assert decision.path is Path.ESCALATE
    assert Assign(group="vip-desk") in decision.actions


def test_combine_all_takes_the_most_cautious_action_first_route_and_every_tag() -> None:
    decision = decide(gold(), Sure(), settings([TAG_VIP, GOLD_DRAFT, BIG_SPENDERS], "all"))
    assert decision.path is Path.ESCALATE
    assert [r.code for r in decision.reasons] == [
        "rule:big_spenders", "rule:tag_vips", "rule:gold_drafts"]
    assert SetPriority(priority="high") in decision.actions      # the first rule setting it
    assert SetPriority(priority="urgent") not in decision.actions
    assert Assign(group="vip-desk") in decision.actions
    tags = next(a.tags for a in decision.actions if isinstance(a, AddTags))
    assert {"gold_tier", "ltv"} <= set(tags)


def test_a_numeric_field_rule_does_not_match_below_or_on_text() -> None:
    for ltv in ("999.99", "n/a"):
        assert decide(gold(ltv), Sure(), settings([BIG_SPENDERS])).path is Path.AUTO_RESOLVE


def test_exclude_skips_before_the_scorer_sees_the_ticket() -> None:
    rule = {"name": "wholesale", "when": {"ticket": {"brand": ["wholesale"]}},
            "then": {"action": "exclude"}}
    scorer = Sure()
    decision = decide(ticket(brand="Wholesale"), scorer, settings([rule]))
    assert decision.path is Path.SKIP
    assert decision.reasons[0].rule == "rules.list[0] wholesale"
    assert decision.actions == ()
    assert scorer.calls == 0


def test_never_auto_resolve_caps_at_a_draft_and_records_the_rule() -> None:
    rule = {"name": "phone tickets", "when": {"ticket": {"channel": ["phone"]}},
            "then": {"action": "never_auto_resolve"}}
    decision = decide(ticket(channel="phone"), Sure(), settings([rule]))
    assert decision.path is Path.DRAFT
    assert decision.reasons[0].rule == "rules.list[0] phone tickets"
    assert decision.reasons[-1].code == "rule:phone_tickets"


def test_a_rule_draft_still_escalates_a_human_request() -> None:
    rule = {"name": "all drafts", "then": {"action": "draft"}}
    decision = decide(ticket("Can I talk to a human please?"), Sure(), settings([rule]))
    assert decision.path is Path.ESCALATE
    assert decision.reasons[0].code == "human_request"


BILLING = {"name": "billing disputes over $500",
           "when": {"topics": ["billing"], "amount": {"over": 500, "currency": "USD"}},
           "then": {"action": "escalate", "route": {"group": "billing-leads"},
                    "priority": "high"}}


@pytest.mark.parametrize(("text", "escalated"), [
    ("You charged me twice, $1,200 each time! Order #98765.", True),
    ("You charged me twice, $80 each time. Order #98765.", False),
    ("You charged me twice for order #98765.", False),      # an order number is not money
    ("You charged me twice, EUR 900 each time.", False),    # not USD
])
def test_billing_disputes_escalate_only_over_500_dollars(text: str, escalated: bool) -> None:
    config = settings([BILLING], policy={"never_auto_resolve": ["billing"]})
    decision = decide(ticket(text), Sure(), config)
    assert "high_risk:billing" in {s.name for s in decision.signals}
    assert decision.path is (Path.ESCALATE if escalated else Path.DRAFT)
    if escalated:
        assert decision.reasons[0].code == "rule:billing_disputes_over_500"
        assert "$1,200" in decision.reasons[0].detail
        assert Assign(group="billing-leads") in decision.actions


def test_sla_minutes_left_and_any_of() -> None:
    rule = {"name": "urgent or nearly due",
            "when": {"any": [{"ticket": {"priority": ["urgent"]}},
                             {"sla_minutes_left": {"under": 30}}]},
            "then": {"action": "escalate"}}
    config = settings([rule])
    due = ticket(sla_due_at=WHEN + timedelta(minutes=29))
    later = ticket(sla_due_at=WHEN + timedelta(minutes=30))
    urgent = ticket(priority="urgent")
    results = [evaluate(config.rules, t, detect(t, config.triggers), WHEN, None).action
               for t in (due, later, urgent)]
    assert results == ["escalate", None, "escalate"]


def test_a_disabled_rule_is_not_evaluated() -> None:
    config = settings([{**NEW_CUSTOMERS, "enabled": False}])
    assert decide(ticket(created=WHEN), Sure(), config).path is Path.AUTO_RESOLVE


@pytest.mark.parametrize(("rules", "key"), [
    ([{"name": "x", "then": {}}], "rules.list.0.then"),
    ([{"name": "x", "when": {"amount": {"currency": "USD"}}, "then": {"tags": ["a"]}}],
     "rules.list.0.when.amount"),
    ([{"name": "x", "when": {"requester": {"tenure": 5}}, "then": {"tags": ["a"]}}],
     "rules.list.0.when.requester.tenure"),
    ([AFTER_HOURS], "business_hours"),
])
def test_a_bad_rule_fails_at_start_up_naming_the_key(
    rules: list[dict[str, Any]], key: str, tmp_path: FilePath
) -> None:
    text = yaml.safe_dump({"rules": {"list": rules}})
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, "handoff.yaml", {}, tmp_path)
    assert key in str(caught.value)


def test_holidays_are_dates() -> None:
    config = settings([AFTER_HOURS], routing=BERLIN)
    hours = config.routing.business_hours
    assert hours is not None
    assert hours.holidays == (date(2026, 12, 24),)


def test_a_rule_naming_an_unknown_ladder_fails_at_start_up(tmp_path: FilePath) -> None:
    rule = {"name": "legal", "when": {"topics": ["legal"]},
            "then": {"action": "escalate", "ladder": "lgeal"}}
    text = yaml.safe_dump({"rules": {"list": [rule]}, "escalation": {"ladders": {
        "legal": [{"name": "tier2", "group": "t2"}]}}})
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, "handoff.yaml", {}, tmp_path)
    assert "rules.list.0.then.ladder = 'lgeal'" in str(caught.value)
    assert "ladders: legal" in str(caught.value)


@pytest.mark.parametrize(("value", "matched"), [
    ("emea,apac", True), ("apac", False), ("EMEA", True), ("", False)])
def test_a_multi_select_field_matches_any_of_its_options(value: str, matched: bool) -> None:
    rule = {"name": "emea", "when": {"requester": {"fields": {"regions": ["emea"]}}},
            "then": {"tags": ["emea"]}}
    person = Requester(id="r", fields={"regions": value})
    ruling = evaluate(settings([rule]).rules, ticket().model_copy(update={"requester": person}),
                      (), WHEN, None)
    assert ruling.checks[0].matched is matched


@pytest.mark.parametrize(("value", "matched"), [
    ("1,200.50", True), ("1200", True), ("999", False), ("1,2", False), ("n/a", False)])
def test_numeric_field_values_with_thousands_commas(value: str, matched: bool) -> None:
    rule = {"name": "ltv", "when": {"requester": {"fields": {"ltv": {"at_least": 1000}}}},
            "then": {"tags": ["big"]}}
    person = Requester(id="r", fields={"ltv": value})
    ruling = evaluate(settings([rule]).rules, ticket().model_copy(update={"requester": person}),
                      (), WHEN, None)
    assert ruling.checks[0].matched is matched
