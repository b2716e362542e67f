"""Every helpdesk id the settings name is found, with the key path that names it."""

from __future__ import annotations

from pathlib import Path

from core.id_refs import IdKind, IdRef, references
from core.settings import parse_settings

SETTINGS = """
platforms:
  zendesk: {subdomain: acme, email: ai@acme.test, ai_user_id: "900"}
  gorgias: {domain: acme, email: ai@acme.test}
routing:
  default: {group: "360010"}
  by_reason:
    high_risk:billing: {group: "360001", assignee: "601"}
    human_request: {priority: high}
triggers:
  vip_fields: {"1100": [gold]}
rules:
  list:
    - name: big orders
      when:
        ticket: {fields: {"1101": [big]}}
        any:
          - requester: {fields: {tier: [gold]}, organization_fields: {plan: [pro]}}
      then: {route: {group: "360009"}}
    - name: tags only
      then: {tags: [x]}
escalation:
  ladders:
    billing:
      - {name: first, group: "360001"}
      - {name: second, assignee: "77"}
"""


def test_references_name_each_id_and_where() -> None:
    settings = parse_settings(SETTINGS, "handoff.yaml", {}, Path("."))
    assert references(settings) == [
        IdRef(IdKind.GROUP, "360010", "routing.default.group"),
        IdRef(IdKind.GROUP, "360001", "routing.by_reason.high_risk:billing.group"),
        IdRef(IdKind.AGENT, "601", "routing.by_reason.high_risk:billing.assignee"),
        IdRef(IdKind.TICKET_FIELD, "1101", "rules.list[0].when.ticket.fields.1101"),
        IdRef(IdKind.USER_FIELD, "tier", "rules.list[0].when.any[0].requester.fields.tier"),
        IdRef(IdKind.ORGANIZATION_FIELD, "plan",
              "rules.list[0].when.any[0].requester.organization_fields.plan"),
        IdRef(IdKind.GROUP, "360009", "rules.list[0].then.route.group"),
        IdRef(IdKind.GROUP, "360001", "escalation.ladders.billing[0].group"),
        IdRef(IdKind.AGENT, "77", "escalation.ladders.billing[1].assignee"),
        IdRef(IdKind.TICKET_FIELD, "1100", "triggers.vip_fields.1100"),
        IdRef(IdKind.AGENT, "900", "platforms.zendesk.ai_user_id", "zendesk"),
    ]


def test_default_settings_name_no_id() -> None:
    assert references(parse_settings("", "handoff.yaml", {}, Path("."))) == []
