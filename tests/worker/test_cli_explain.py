"""``handoff policy test``: every signal, every rule with why it matched or not, the path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner

from tests.worker.support import (
    EMAIL,
    ROOT,
    TOKEN,
    create,
)
from worker.cli import main

RULES = {"combine": "first_match", "list": [
    {"name": "billing disputes over $500",
     "when": {"topics": ["billing"], "amount": {"over": 500, "currency": "USD"}},
     "then": {"action": "escalate", "route": {"group": "billing-leads"}, "priority": "high"}},
    {"name": "new customers go to a senior",
     "when": {"requester": {"tenure_days": {"under": 90}}},
     "then": {"action": "escalate", "route": {"group": "seniors"}}},
]}
DISPUTE = {
    "id": "dispute-1", "subject": "Charged twice", "channel": "email", "tags": [],
    "requester": {"id": "c9", "email": "sam@example.com", "name": "Sam Lee",
                  "created_at": "2026-02-20T00:00:00Z"},
    "messages": [{"author": "customer", "public": True, "created_at": "2026-03-02T15:00:00Z",
                  "body": "Hello, why was my card declined at checkout? My bank shows I was "
                          "charged twice for $1,200 on order 48213. Thanks"}],
}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "handoff.yaml"
    path.write_text(yaml.safe_dump({
        "knowledge_dir": str(ROOT / "config" / "knowledge"), "index_dir": str(tmp_path / "index"),
        "policy": {"never_auto_resolve": ["billing"]}, "rules": RULES}))
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["policy", "test", *args])
    return result.exit_code, result.output


def write(tmp_path: Path, ticket: dict[str, Any]) -> str:
    path = tmp_path / "ticket.json"
    path.write_text(json.dumps(ticket))
    return str(path)


def test_a_ticket_that_hits_two_rules(config: Path, tmp_path: Path) -> None:
    code, out = run(write(tmp_path, DISPUTE), "--config", str(config))
    assert code == 0, out
    assert "high_risk:billing" in out.split("rules (first_match):")[0]
    assert "[0] billing disputes over $500: applied" in out
    assert "yes  amount over 500 USD: $1,200" in out
    assert "[1] new customers go to a senior: matched, not applied (first_match)" in out
    assert "yes  requester.tenure_days under 90: 10.6 days" in out
    assert "path: escalate" in out
    assert "assign group=billing-leads" in out
    assert "set_priority priority=high" in out


def test_the_same_ticket_with_combine_all_and_as_json(config: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(config.read_text())
    data["rules"]["combine"] = "all"
    config.write_text(yaml.safe_dump(data))
    code, out = run(write(tmp_path, DISPUTE), "--config", str(config), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert [(r["matched"], r["applied"]) for r in report["rules"]] == [(True, True), (True, True)]
    assert [r["code"] for r in report["reasons"]][:2] == [
        "rule:billing_disputes_over_500", "rule:new_customers_go_to_a_senior"]
    assert report["path"] == "escalate"


def test_no_rule_matches_a_small_dispute_from_an_old_customer(
    config: Path, tmp_path: Path
) -> None:
    body = DISPUTE["messages"][0]["body"].replace("$1,200", "$80")
    ticket = {**DISPUTE, "requester": {**DISPUTE["requester"], "created_at": "2020-01-01T00:00Z"},
              "messages": [{**DISPUTE["messages"][0], "body": body}]}
    code, out = run(write(tmp_path, ticket), "--config", str(config))
    assert code == 0, out
    assert "[0] billing disputes over $500: no match" in out
    assert "no   amount over 500 USD: $80" in out
    assert "path: draft" in out


def test_now_moves_the_tenure(config: Path, tmp_path: Path) -> None:
    code, out = run(write(tmp_path, DISPUTE), "--config", str(config),
                    "--now", "2026-06-01T00:00:00+00:00")
    assert code == 0, out
    assert "no   requester.tenure_days under 90: 101.0 days" in out


def test_a_missing_or_malformed_ticket_file_exits_2(config: Path, tmp_path: Path) -> None:
    assert run(str(tmp_path / "nope.json"), "--config", str(config))[0] == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, out = run(str(bad), "--config", str(config))
    assert code == 2
    assert "not a canonical ticket" in out


def test_a_ticket_read_from_a_helpdesk(
    sandbox: httpx.Client, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = yaml.safe_load(config.read_text())
    base = str(sandbox.base_url).rstrip("/") + "/zendesk/api/v2"
    data["platforms"] = {"zendesk": {"base_url": base, "email": EMAIL, "ai_user_id": "900"}}
    config.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("HANDOFF_ZENDESK_API_TOKEN", TOKEN)
    monkeypatch.setenv("HANDOFF_ZENDESK_SIGNING_SECRET", "s")
    ticket_id = create(sandbox, DISPUTE)
    code, out = run(ticket_id, "--platform", "zendesk", "--config", str(config))
    assert code == 0, out
    assert f"ticket {ticket_id}" in out
    assert "[0] billing disputes over $500: applied" in out
    assert "path: escalate" in out
