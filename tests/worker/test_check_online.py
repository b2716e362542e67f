"""`handoff check-config --online` and the check at the end of `handoff install`.

Against the sandbox helpdesk over real HTTP (all three platforms), and against
respx with the reference's payload shapes for what the sandbox cannot show
(Zendesk's anonymous /users/me, an end user named as an agent, an unreachable host).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from click.testing import CliRunner

from connectors.sandbox import BackgroundServer, create_app
from tests.conftest import ROOT
from worker.cli import main

ZD_EMAIL, ZD_TOKEN, ZD_SECRET = "handoff@sandbox.test", "zd-token", "zd-secret"
FD_TOKEN, FD_SECRET = "fd-token", "fd-secret"
GG_EMAIL, GG_TOKEN, GG_SECRET = "ai@sandbox.test", "gg-token", "gg-secret"
ENV = {"HANDOFF_ZENDESK_API_TOKEN": ZD_TOKEN, "HANDOFF_ZENDESK_SIGNING_SECRET": ZD_SECRET,
       "HANDOFF_FRESHDESK_API_TOKEN": FD_TOKEN, "HANDOFF_FRESHDESK_WEBHOOK_SECRET": FD_SECRET,
       "HANDOFF_GORGIAS_API_TOKEN": GG_TOKEN, "HANDOFF_GORGIAS_WEBHOOK_SECRET": GG_SECRET}
ROUTING = """
routing:
  by_reason:
    high_risk:billing: {group: "360001", priority: high}
rules:
  list:
    - name: legal
      when: {signals: [high_risk:legal]}
      then: {route: {group: "%(rule_group)s"}}
escalation:
  ladders:
    billing:
      - {name: first, group: "360001"}
      - {name: second, assignee: "%(agent)s"}
"""


@pytest.fixture
def sandbox() -> Iterator[str]:
    app = create_app(webhook_url=None, zendesk_email=ZD_EMAIL, zendesk_api_token=ZD_TOKEN,
                     zendesk_signing_secret=ZD_SECRET, freshdesk_api_token=FD_TOKEN,
                     freshdesk_webhook_secret=FD_SECRET, gorgias_email=GG_EMAIL,
                     gorgias_api_token=GG_TOKEN, gorgias_webhook_secret=GG_SECRET)
    with BackgroundServer(app) as server:
        yield server.url


def config(tmp_path: Path, sandbox: str, platforms: tuple[str, ...] = ("zendesk",),
           rule_group: str = "360003", agent: str = "901") -> Path:
    (tmp_path / "knowledge").symlink_to(ROOT / "config" / "knowledge")
    sections = {
        "zendesk": f"  zendesk: {{base_url: {sandbox}/zendesk/api/v2, email: {ZD_EMAIL}}}\n",
        "freshdesk": f"  freshdesk: {{base_url: {sandbox}/freshdesk/api/v2}}\n",
        "gorgias": f"  gorgias: {{base_url: {sandbox}/gorgias/api, email: {GG_EMAIL}}}\n",
    }
    path = tmp_path / "handoff.yaml"
    path.write_text("platforms:\n" + "".join(sections[p] for p in platforms)
                    + ROUTING % {"rule_group": rule_group, "agent": agent})
    return path


def check(path: Path, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check-config", "--online", "--config", str(path)],
                                env={**ENV, **env})
    return result.exit_code, result.stdout


def test_every_id_found_on_three_platforms_exits_0(tmp_path: Path, sandbox: str) -> None:
    # The API user (900) is an agent on all three; other agents' ids differ per helpdesk.
    path = config(tmp_path, sandbox, ("zendesk", "freshdesk", "gorgias"), agent="900")
    code, out = check(path)
    assert code == 0, out
    for platform in ("zendesk", "freshdesk", "gorgias"):
        assert f"{platform}: credentials work (API user 900)" in out
        assert (f"{platform}: routing.by_reason.high_risk:billing.group = '360001': found"
                in out)
        assert f"{platform}: rules.list[0].then.route.group = '360003': found" in out
        assert f"{platform}: escalation.ladders.billing[1].assignee = " in out
    assert "MISSING" not in out
    assert "# online: 12 found, 0 missing" in out


def test_a_missing_group_and_agent_are_named_with_where_and_exit_3(
    tmp_path: Path, sandbox: str,
) -> None:
    path = config(tmp_path, sandbox, ("zendesk", "gorgias"), rule_group="360999", agent="555")
    code, out = check(path)
    assert code == 3, out
    for platform in ("zendesk", "gorgias"):
        assert (f"{platform}: rules.list[0].then.route.group = '360999': "
                "MISSING: no such group") in out
        assert (f"{platform}: escalation.ladders.billing[1].assignee = '555': "
                "MISSING: no such agent") in out
        assert f"{platform}: escalation.ladders.billing[0].group = '360001': found" in out


def test_a_customer_named_as_agent_is_missing(tmp_path: Path, sandbox: str) -> None:
    made = httpx.post(f"{sandbox}/sandbox/tickets", json={
        "platform": "freshdesk", "subject": "Hi", "requester": {"email": "dana@example.com"},
        "messages": [{"author": "customer", "body": "Hello"}]})
    assert made.status_code == 201
    contact = httpx.get(f"{sandbox}/freshdesk/api/v2/tickets/{made.json()['ticket_id']}",
                        auth=(FD_TOKEN, "X")).json()["requester_id"]
    code, out = check(config(tmp_path, sandbox, ("freshdesk",), agent=str(contact)))
    assert code == 3, out
    assert f"escalation.ladders.billing[1].assignee = '{contact}': MISSING" in out


def test_refused_credentials_exit_1(tmp_path: Path, sandbox: str) -> None:
    code, out = check(config(tmp_path, sandbox), HANDOFF_ZENDESK_API_TOKEN="wrong")
    assert code == 1, out
    assert "zendesk: credentials refused" in out
    assert "found" not in out.split("# ok:")[1].replace("0 found", "")


def test_install_ends_with_the_same_check(tmp_path: Path, sandbox: str) -> None:
    path = config(tmp_path, sandbox, rule_group="360999")
    result = CliRunner().invoke(main, ["install", "zendesk", "--public-url",
                                       "https://handoff.example.com", "--config", str(path)],
                                env={**ENV, "HANDOFF_ZENDESK_SIGNING_SECRET": ""})
    assert result.exit_code == 3, result.output
    assert "created: webhook" in result.stdout
    assert "zendesk: rules.list[0].then.route.group = '360999': MISSING" in result.stdout


# -- respx: the reference's shapes ----------------------------------------------------------

ZD = "https://acme.zendesk.com/api/v2"
RESPX_CONFIG = """
platforms:
  zendesk: {subdomain: acme, email: ai@acme.test}
routing:
  default: {group: "360001", assignee: "501"}
triggers:
  vip_fields: {"1100": [gold]}
rules:
  list:
    - name: plan
      when: {requester: {fields: {plan: [pro]}}}
      then: {action: draft}
"""


def respx_config(tmp_path: Path) -> Path:
    (tmp_path / "knowledge").symlink_to(ROOT / "config" / "knowledge")
    path = tmp_path / "handoff.yaml"
    path.write_text(RESPX_CONFIG)
    return path


def test_zendesk_shapes_group_agent_and_fields(tmp_path: Path) -> None:
    with respx.mock(base_url=ZD, assert_all_called=True) as api:
        api.get("/users/me.json").respond(json={"user": {"id": 900, "role": "admin"}})
        api.get("/groups/360001.json").respond(404, json={"error": "RecordNotFound",
                                                          "description": "Not found"})
        api.get("/users/501.json").respond(json={"user": {"id": 501, "role": "end-user"}})
        api.get("/ticket_fields.json").respond(json={
            "ticket_fields": [{"id": 1100, "type": "tagger", "title": "Tier"}],
            "next_page": None})
        api.get("/user_fields.json").respond(json={
            "user_fields": [{"id": 7, "key": "plan", "type": "dropdown"}], "next_page": None})
        code, out = check(respx_config(tmp_path))
    assert code == 3, out
    assert "routing.default.group = '360001': MISSING: no such group" in out
    assert ("routing.default.assignee = '501': MISSING: no such agent "
            "(a user with role 'end-user', not an agent)") in out
    assert "triggers.vip_fields.1100 = '1100': found" in out
    assert "rules.list[0].when.requester.fields.plan = 'plan': found" in out


def test_zendesk_anonymous_me_is_refused_credentials(tmp_path: Path) -> None:
    with respx.mock(base_url=ZD) as api:
        api.get("/users/me.json").respond(json={"user": {"id": None, "name": "Anonymous user",
                                                         "role": "end-user"}})
        code, out = check(respx_config(tmp_path))
    assert code == 1, out
    assert "zendesk: credentials refused" in out


def test_an_unreachable_helpdesk_exits_1(tmp_path: Path) -> None:
    with respx.mock(base_url=ZD) as api:
        api.get("/users/me.json").mock(side_effect=httpx.ConnectError("no route to host"))
        code, out = check(respx_config(tmp_path))
    assert code == 1, out
    assert "zendesk: helpdesk unreachable" in out


FD = "https://acme.freshdesk.com/api/v2"
GG = "https://acme.gorgias.com/api"


def test_freshdesk_and_gorgias_shapes_through_the_check(tmp_path: Path) -> None:
    (tmp_path / "knowledge").symlink_to(ROOT / "config" / "knowledge")
    path = tmp_path / "handoff.yaml"
    path.write_text("""
platforms:
  freshdesk: {domain: acme}
  gorgias: {domain: acme, email: ai@acme.test}
routing:
  default: {group: "12"}
rules:
  list:
    - name: big
      when: {ticket: {fields: {cf_order_size: [big]}}, requester: {fields: {tier: [gold]}}}
      then: {action: draft}
""")
    with respx.mock(assert_all_called=True) as api:
        api.get(f"{FD}/agents/me").respond(json={"id": 5, "contact": {"name": "AI"}})
        api.get(f"{FD}/groups/12").respond(json={"id": 12, "name": "Billing",
                                                 "agent_ids": [5]})
        api.get(f"{FD}/ticket_fields").respond(json=[
            {"id": 1, "name": "subject", "label": "Subject", "default": True},
            {"id": 2, "name": "cf_order_size", "label": "Order size", "default": False}])
        # Contact custom fields listed with the cf_ prefix (UNCONFIRMED): both spellings match.
        api.get(f"{FD}/contact_fields").respond(json=[
            {"id": 3, "name": "cf_tier", "label": "Tier", "default": False}])
        api.get(f"{GG}/users/0").respond(json={"id": 7, "email": "ai@acme.test"})
        api.get(f"{GG}/teams/12").respond(404, json={"error": {"msg": "Resource not found"}})
        code, out = check(path)
    assert code == 3, out
    assert "freshdesk: routing.default.group = '12': found" in out
    assert "freshdesk: rules.list[0].when.ticket.fields.cf_order_size = 'cf_order_size': found" \
        in out
    assert "freshdesk: rules.list[0].when.requester.fields.tier = 'tier': found" in out
    assert "gorgias: routing.default.group = '12': MISSING: no such group" in out
    assert ("gorgias: rules.list[0].when.ticket.fields.cf_order_size = 'cf_order_size': "
            "not checkable (Handoff does not read Gorgias ticket fields") in out
