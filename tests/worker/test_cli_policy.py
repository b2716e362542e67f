"""``handoff policy edit``: the model faked at the transport with respx, real files in tmp_path."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from click.testing import CliRunner, Result

from core.settings import parse_settings
from tests.conftest import ROOT
from tests.worker.support import SAMPLES_FILE
from worker.cli import main

BASE = "https://llm.example.com/v1"
CONFIG = """\
# Handoff settings for the policy-edit tests.
policy:
  auto_resolve_threshold: 0.9   # at or above: public reply and solve
  draft_threshold: 0.5          # at or above: internal draft; below: escalate

# Tickets the AI never touches.
exclusions:
  tags: [legal_hold, no_ai]

llm: {{provider: openai, model: gpt-test, base_url: "{base}"}}
knowledge_dir: {knowledge}
index_dir: {index}
"""
# Two billing disputes the local scorer answers with a confidence of 0.6 (draftable).
DISPUTES = [
    ("dispute-small", "Why was my card declined at checkout? It looks like I was billed twice "
                      "($84.90). Thank you!"),
    ("dispute-large", "Hello, why was my card declined at checkout? My bank shows I was charged "
                      "twice for $1,200. Thanks"),
]
# Billing topics may be drafted, never auto-resolved: both disputes move to draft.
DRAFT_BILLING = {
    "summary": "Draft billing questions instead of escalating them.",
    "changes": {"policy": {"never_auto_resolve": ["billing"]}},
}

# The issue's example: over $500 escalates; smaller billing disputes may be drafted.
OVER_500 = {
    "summary": "Escalate billing disputes over $500; draft smaller ones.",
    "changes": {
        "policy": {"never_auto_resolve": ["billing"]},
        "rules": {"combine": "first_match", "list": [{
            "name": "billing disputes over $500",
            "when": {"signals": ["high_risk:billing"], "amount": {"over": 500, "currency": "USD"}},
            "then": {"action": "escalate"},
        }]},
    },
}


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HANDOFF_LLM_API_KEY", "sk-test")
    file = tmp_path / "handoff.yaml"
    file.write_text(CONFIG.format(base=BASE, knowledge=ROOT / "config" / "knowledge",
                                  index=tmp_path / "index"), encoding="utf-8")
    return file


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """The 16 repository samples plus the two billing disputes."""
    file = tmp_path / "history.jsonl"
    rows = [json.dumps({"id": id_, "subject": "Card declined", "channel": "email", "tags": [],
                        "requester": {"id": f"r-{id_}"},
                        "messages": [{"author": "customer", "body": body,
                                      "created_at": "2026-01-06T09:00:00Z"}]})
            for id_, body in DISPUTES]
    file.write_text(SAMPLES_FILE.read_text() + "\n".join(rows) + "\n", encoding="utf-8")
    return file


def moved(output: str, path: str) -> int:
    """The change the split table shows for `path` (0 when the line has no mark)."""
    line = next(x for x in output.splitlines() if x.startswith(f"  {path} "))
    found = re.search(r"\(([+-]\d+)\)$", line.rstrip())
    return int(found[1]) if found else 0


def reply(answer: object, status: int = 200) -> httpx.Response:
    content = answer if isinstance(answer, str) else json.dumps(answer)
    return httpx.Response(status, json={"choices": [{"message": {"content": content}}]})


def edit(config: Path, *extra: str, stdin: str | None = None,
         tickets: Path = SAMPLES_FILE) -> Result:
    return CliRunner().invoke(
        main, ["policy", "edit", "only escalate billing disputes over $500",
               "--config", str(config), "--tickets", str(tickets), *extra],
        input=stdin,
    )


@respx.mock
def test_the_issues_example_is_shown_simulated_and_written_with_yes(
    config: Path, history: Path
) -> None:
    route = respx.post(f"{BASE}/chat/completions").mock(return_value=reply(OVER_500))
    result = edit(config, "--yes", tickets=history)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "proposed: Escalate billing disputes over $500; draft smaller ones." in out
    assert f"+++ {config} (proposed)" in out
    assert "+  never_auto_resolve: [billing]" in out
    assert "+    - name: billing disputes over $500" in out
    assert "+        amount: {over: 500, currency: USD}" in out
    assert [x for x in out.splitlines() if x.startswith("-") and not x.startswith("---")] == []
    # The $84.90 dispute is now drafted; the $1,200 one still escalates, by the rule.
    assert "simulated over 18 ticket(s)" in out
    assert (moved(out, "draft"), moved(out, "escalate"), moved(out, "auto_resolve")) == (1, -1, 0)
    assert "1 of 18 ticket(s) change path:" in out
    assert "  dispute-small: escalate -> draft  (high_risk:billing -> medium_confidence)" in out
    assert "ticket(s) keep their path for another reason:" in out
    assert "  dispute-large: escalate  (high_risk:billing -> rule:billing_disputes_over_500" in out
    assert "auto-resolved though labelled for a person: 0 -> 0" in out
    written = config.read_text()
    # Comments of the keys that stay are kept.
    assert "auto_resolve_threshold: 0.9   # at or above: public reply and solve" in written
    assert "# Tickets the AI never touches." in written
    settings = parse_settings(written, "written", {}, config.parent)
    assert settings.policy.never_auto_resolve == ("billing",)
    (rule,) = settings.rules.list
    assert rule.name == "billing disputes over $500"
    assert rule.when.amount is not None
    assert (rule.when.amount.over, rule.when.amount.currency) == (500, "USD")
    assert rule.then.action == "escalate"
    body = json.loads(route.calls.last.request.content)
    assert "only escalate billing disputes over $500" in body["messages"][1]["content"]
    assert "AmountCondition" in body["messages"][1]["content"]  # the rules schema is sent


@respx.mock
def test_a_threshold_change_moves_both_disputes_to_draft(config: Path, history: Path) -> None:
    respx.post(f"{BASE}/chat/completions").mock(return_value=reply(DRAFT_BILLING))
    result = edit(config, "--yes", tickets=history)
    assert result.exit_code == 0, result.output
    assert (moved(result.stdout, "draft"), moved(result.stdout, "escalate")) == (2, -2)
    assert "  dispute-large: escalate -> draft" in result.stdout
    assert "never_auto_resolve: [billing]" in config.read_text()


@respx.mock
@pytest.mark.parametrize(("change", "named"), [
    ({"policy": {"auto_resolve_treshold": 0.8}}, "policy.auto_resolve_treshold = 0.8"),
    ({"policy": {"draft_threshold": 1.5}}, "policy.draft_threshold = 1.5"),
])
def test_an_invalid_proposal_is_rejected_with_the_schema_error(
    config: Path, change: dict[str, Any], named: str
) -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=reply({"summary": "s", "changes": change}))
    before = config.read_text()
    result = edit(config, "--yes")
    assert result.exit_code == 2, result.output
    assert "rejected, the proposed settings are not valid" in result.stderr
    assert named in result.stderr
    assert config.read_text() == before


@respx.mock
@pytest.mark.parametrize("answer", ["n\n", ""])
def test_a_refused_confirmation_changes_nothing(config: Path, answer: str) -> None:
    respx.post(f"{BASE}/chat/completions").mock(return_value=reply(DRAFT_BILLING))
    before = config.read_text()
    result = edit(config, stdin=answer)
    assert result.exit_code == 1, result.output
    assert "write this change to" in result.stdout
    assert "nothing was changed" in result.stderr
    assert config.read_text() == before
    assert sorted(p.name for p in config.parent.iterdir()) == ["handoff.yaml", "index"]


@respx.mock
def test_a_yes_on_stdin_writes(config: Path) -> None:
    respx.post(f"{BASE}/chat/completions").mock(return_value=reply(DRAFT_BILLING))
    result = edit(config, stdin="y\n")
    assert result.exit_code == 0, result.output
    assert "never_auto_resolve: [billing]" in config.read_text()


def test_without_a_model_it_points_to_the_yaml_and_makes_no_call(config: Path) -> None:
    text = "\n".join(line for line in config.read_text().splitlines()
                     if not line.startswith("llm:"))
    config.write_text(text, encoding="utf-8")
    with respx.mock(assert_all_mocked=True) as router:  # any HTTP request would fail
        result = edit(config, "--yes")
        assert not router.calls
    assert result.exit_code == 2
    assert "no `llm:` section" in result.stderr
    assert "under `rules:` and `policy:`" in result.stderr
    assert "HANDOFF_LLM_API_KEY" in result.stderr
    assert config.read_text() == text


@respx.mock
@pytest.mark.parametrize(("response", "said"), [
    (reply("Sure! I would raise the thresholds a little."), "not an object with a `changes`"),
    (reply("{not json: [}"), "not JSON or YAML"),
    (reply({"summary": "s", "changes": {"llm": None}}), "may change only policy"),
    (httpx.Response(500, text="upstream error"), "openai: HTTP 500"),
    (httpx.ReadTimeout("slow"), "openai: timed out"),
])
def test_a_failing_model_or_an_unusable_answer_changes_nothing(
    config: Path, response: httpx.Response | Exception, said: str
) -> None:
    route = respx.post(f"{BASE}/chat/completions")
    if isinstance(response, Exception):
        route.mock(side_effect=response)
    else:
        route.mock(return_value=response)
    before = config.read_text()
    result = edit(config, "--yes")
    assert result.exit_code == 1, result.output
    assert said in result.stderr
    assert "is unchanged" in result.stderr
    assert config.read_text() == before


@respx.mock
def test_the_default_history_is_the_samples_next_to_the_config(
    config: Path, history: Path
) -> None:
    respx.post(f"{BASE}/chat/completions").mock(return_value=reply(DRAFT_BILLING))
    result = CliRunner().invoke(main, ["policy", "edit", "draft billing", "--config",
                                       str(config)], input="n\n")
    assert result.exit_code == 1
    assert f"no tickets to simulate ({config.parent / 'samples' / 'tickets.jsonl'}" \
        in result.stdout
    (config.parent / "samples").mkdir()
    (config.parent / "samples" / "tickets.jsonl").write_text(
        history.read_text().splitlines()[-1] + "\n{broken\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["policy", "edit", "draft billing", "--config",
                                       str(config)], input="n\n")
    assert "simulated over 1 ticket(s)" in result.stdout
    assert "tickets.jsonl:2: skipped: not JSON" in result.stderr
    assert "dispute-large: escalate -> draft" in result.stdout


def test_a_model_without_its_key_is_a_configuration_error(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HANDOFF_LLM_API_KEY")
    with respx.mock(assert_all_mocked=True) as router:
        result = edit(config, "--yes")
        assert not router.calls
    assert result.exit_code == 2
    assert "set HANDOFF_LLM_API_KEY" in result.stderr


def test_anthropic_is_asked_through_the_messages_api(config: Path) -> None:
    config.write_text(config.read_text().replace("provider: openai", "provider: anthropic"),
                      encoding="utf-8")
    answer = {"content": [{"type": "text", "text": json.dumps(DRAFT_BILLING)}]}
    with respx.mock:
        route = respx.post(f"{BASE}/v1/messages").mock(
            return_value=httpx.Response(200, json=answer))
        result = edit(config, "--yes")
    assert result.exit_code == 0, result.output
    assert route.calls.last.request.headers["x-api-key"] == "sk-test"
    assert json.loads(route.calls.last.request.content)["max_tokens"] >= 4096
    assert "never_auto_resolve: [billing]" in config.read_text()


@respx.mock
def test_a_file_changed_meanwhile_is_not_overwritten(config: Path) -> None:
    def meanwhile(request: httpx.Request) -> httpx.Response:
        config.write_text(config.read_text() + "# someone else's edit\n", encoding="utf-8")
        return reply(DRAFT_BILLING)

    respx.post(f"{BASE}/chat/completions").mock(side_effect=meanwhile)
    result = edit(config, "--yes")
    assert result.exit_code == 1
    assert "changed while the proposal was made" in result.stderr
    assert config.read_text().endswith("# someone else's edit\n")
    assert "never_auto_resolve" not in config.read_text()


@respx.mock
def test_a_proposal_equal_to_the_file_writes_nothing(config: Path) -> None:
    same = {"summary": "nothing to do", "changes": {
        "policy": {"auto_resolve_threshold": 0.9, "draft_threshold": 0.5}}}
    respx.post(f"{BASE}/chat/completions").mock(return_value=reply(same))
    before = config.read_text()
    result = edit(config, "--yes")
    assert result.exit_code == 0, result.output
    assert "the proposal changes nothing" in result.stdout
    assert config.read_text() == before
