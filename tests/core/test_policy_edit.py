"""The pure parts of ``handoff policy edit``: prompt, answer parsing, in-place edits, split."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.errors import ProposalError, ScorerError
from core.policy_edit import (
    EDITABLE,
    apply_changes,
    compare,
    describe,
    parse_proposal,
    prompt,
    schema,
    unified_diff,
)
from core.scorer import Answer
from core.simulation import OnceScorer
from tests.core.helpers import ticket

FILE = """\
# Handoff settings.
policy:
  auto_resolve_threshold: 0.9   # at or above: public reply and solve
  draft_threshold: 0.5          # below: escalate

routing:
  by_reason:
    vip: {group: "360004", priority: high}   # the VIP desk
# Tickets the AI never touches.
exclusions:
  tags: [legal_hold, no_ai]

knowledge_dir: knowledge        # relative to this file
"""


def test_the_prompt_carries_the_file_the_instruction_and_only_the_editable_schema() -> None:
    system, user = prompt(FILE, "handoff.yaml", "  draft billing questions ")
    assert "policy" in system
    assert "JSON object" in system
    assert user.endswith("Instruction: draft billing questions")
    assert "vip: {group: \"360004\", priority: high}" in user
    sent = json.loads(user.split("\n")[1])
    assert set(sent["properties"]) == set(EDITABLE)
    assert "llm" not in sent["properties"]
    assert "platforms" not in sent["properties"]
    assert "PolicySettings" in sent["$defs"]
    assert "LLMSettings" not in sent["$defs"]


def test_long_defaults_stay_out_of_the_schema() -> None:
    triggers = schema(["triggers"])["$defs"]["TriggerSettings"]["properties"]
    assert "default" not in triggers["high_risk"]  # the whole lexicon
    assert triggers["loop_ai_turns"]["default"] == 2


@pytest.mark.parametrize("text", [
    '{"summary": "Lower it.", "changes": {"policy": {"draft_threshold": 0.4}}}',
    '```json\n{"summary": "Lower it.", "changes": {"policy": {"draft_threshold": 0.4}}}\n```',
    "summary: Lower it.\nchanges:\n  policy: {draft_threshold: 0.4}\n",
])
def test_an_answer_in_json_fenced_json_or_yaml_is_read(text: str) -> None:
    proposal = parse_proposal(text)
    assert proposal.summary == "Lower it."
    assert proposal.changes == {"policy": {"draft_threshold": 0.4}}


@pytest.mark.parametrize(("text", "said"), [
    ("I cannot do that.", "not an object with a `changes` mapping"),
    ("{broken: [", "not JSON or YAML"),
    ('{"summary": "x", "changes": {}}', "proposed no change"),
    ('{"changes": {"platforms": {}, "llm": null}}', "proposed changing llm, platforms"),
])
def test_an_unusable_answer_raises(text: str, said: str) -> None:
    with pytest.raises(ProposalError, match=said):
        parse_proposal(text)


def test_a_changed_section_keeps_the_comments_of_the_keys_that_stay() -> None:
    new = apply_changes(FILE, {"policy": {"auto_resolve_threshold": 0.9, "draft_threshold": 0.4,
                                          "never_auto_resolve": ["billing"]}})
    assert unified_diff(FILE, new, "h.yaml") == (
        "--- h.yaml\n+++ h.yaml (proposed)\n"
        "@@ -1,7 +1,8 @@\n"
        " # Handoff settings.\n"
        " policy:\n"
        "   auto_resolve_threshold: 0.9   # at or above: public reply and solve\n"
        "-  draft_threshold: 0.5          # below: escalate\n"
        "+  draft_threshold: 0.4          # below: escalate\n"
        "+  never_auto_resolve: [billing]\n"
        " \n"
        " routing:\n"
        "   by_reason:\n"
    )


def test_a_new_section_goes_at_the_end_in_the_files_style() -> None:
    rule = {"name": "billing disputes over $500",
            "when": {"signals": ["high_risk:billing"], "amount": {"over": 500, "currency": "USD"}},
            "then": {"action": "escalate"}}
    new = apply_changes(FILE, {"rules": {"list": [rule]}})
    assert new == FILE + (
        "\n"
        "rules:\n"
        "  list:\n"
        "    - name: billing disputes over $500\n"
        "      when:\n"
        "        signals: [high_risk:billing]\n"
        "        amount: {over: 500, currency: USD}\n"
        "      then: {action: escalate}\n"
    )
    assert yaml.safe_load(new)["rules"]["list"] == [rule]


def test_a_flow_mapping_is_edited_in_place_and_a_section_can_be_removed() -> None:
    new = apply_changes(FILE, {
        "routing": {"by_reason": {"vip": {"group": "9", "priority": "high"}}},
        "exclusions": None,
    })
    # The comment keeps its column; the new value keeps the flow style.
    assert '    vip: {group: "9", priority: high}        # the VIP desk\n' in new
    assert "exclusions" not in new
    assert "legal_hold" not in new
    # The comment introducing the next section is not part of the one before it.
    assert "# Tickets the AI never touches.\n\nknowledge_dir" in new
    assert yaml.safe_load(new)["knowledge_dir"] == "knowledge"


def test_list_items_are_merged_by_position() -> None:
    text = "rules:\n  list:\n    - name: a   # first\n      then: {action: draft}\n" \
           "    - name: b\n"
    new = apply_changes(text, {"rules": {"list": [{"name": "a", "then": {"action": "escalate"}}]}})
    assert new == "rules:\n  list:\n    - name: a   # first\n      then: {action: escalate}\n"


def test_an_unchanged_value_gives_the_same_text() -> None:
    same = apply_changes(FILE, {"policy": {"auto_resolve_threshold": 0.9,
                                           "draft_threshold": 0.5}})
    assert same == FILE
    assert unified_diff(FILE, same, "h.yaml") == ""


def test_a_file_that_is_not_plain_top_level_keys_is_refused() -> None:
    with pytest.raises(ProposalError, match="line 1 is not a plain top-level key"):
        apply_changes('{"policy": {}}\n', {"policy": {"draft_threshold": 0.4}})


def row(id_: str, path: str, code: str, source: str | None = None) -> dict[str, Any]:
    return {"id": id_, "path": path, "reasons": [{"code": code, "rule": "r"}],
            "sources": [source] if source else []}


def test_the_split_shows_counts_shares_moves_and_unsafe_auto_resolutions() -> None:
    before = [row("a", "escalate", "high_risk:billing"), row("b", "escalate", "human_request"),
              row("c", "auto_resolve", "high_confidence", "track"), row("d", "skip", "x")]
    after = [row("a", "draft", "medium_confidence"), row("b", "auto_resolve", "high_confidence"),
             row("c", "auto_resolve", "high_confidence", "track"), row("d", "skip", "y")]
    labels = {"b": {"expect_path": "escalate"}}
    change = compare(before, after, labels)
    assert [m.id for m in change.moved] == ["a", "b"]
    assert change.unsafe == (0, 1)
    assert describe(change, {"a": "Card declined: charged twice"}, examples=1) == [
        "  path                  before    after",
        "  auto_resolve       1 (25.0%) -> 2 (50.0%)       (+1)",
        "  draft               0 (0.0%) -> 1 (25.0%)       (+1)",
        "  escalate           2 (50.0%) -> 0 (0.0%)        (-2)",
        "  skip               1 (25.0%) -> 1 (25.0%)",
        "  auto-resolved though labelled for a person: 0 -> 1",
        "2 of 4 ticket(s) change path:",
        "  a: escalate -> draft  (high_risk:billing -> medium_confidence)",
        "      'Card declined: charged twice'",
        "  ... and 1 more",
        "1 ticket(s) keep their path for another reason:",
        "  d: skip  (x -> y)",
    ]
    assert compare(before, before, {}).unsafe is None
    with pytest.raises(ValueError, match="same tickets"):
        compare(before, after[:2], {})


def test_once_scorer_answers_each_ticket_once_and_remembers_failures() -> None:
    calls: list[str] = []

    class Counting:
        docs = ()
        frustration = None
        human_model = None

        def answer(self, t: Any) -> Answer:
            calls.append(t.id)
            if t.id == "down":
                raise ScorerError("timed out")
            return Answer(reply="hi", confidence=0.7)

    scorer = OnceScorer(Counting())
    good = ticket("where is my order").model_copy(update={"id": "ok"})
    bad = ticket("help").model_copy(update={"id": "down"})
    assert scorer.answer(good) is scorer.answer(good)
    for _ in range(2):
        with pytest.raises(ScorerError, match="timed out"):
            scorer.answer(bad)
    assert calls == ["ok", "down"]
    assert scorer.frustration is None


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["config/handoff.yaml", "config/examples/policies.yaml"])
def test_the_shipped_files_round_trip_unchanged(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    current = yaml.safe_load(text)
    same = {k: current[k] for k in EDITABLE if k in current}
    assert same
    assert apply_changes(text, same) == text


def test_one_value_changed_in_the_example_policies_is_a_one_line_diff() -> None:
    text = (ROOT / "config" / "examples" / "policies.yaml").read_text(encoding="utf-8")
    rules = yaml.safe_load(text)["rules"]
    rules["list"][0]["then"]["priority"] = "urgent"
    diff = unified_diff(text, apply_changes(text, {"rules": rules}), "p.yaml").splitlines()
    assert [line for line in diff if line[:1] in "+-"][2:] == [
        '-      then: {action: escalate, route: {group: "billing-leads"}, priority: high}',
        '+      then: {action: escalate, route: {group: "billing-leads"}, priority: urgent}',
    ]


def test_a_patch_keeps_the_keys_it_leaves_out_and_null_removes_one() -> None:
    text = ("policy:\n  auto_resolve_threshold: 0.9   # keep me\n  draft_threshold: 0.4\n"
            "  never_auto_resolve: [refund]\nrouting:\n  default: {group: null}\n")
    new = apply_changes(text, {
        "policy": {"draft_threshold": None, "never_auto_resolve": ["billing"]},
        "routing": {"default": {"group": None, "priority": "high"}},
    })
    assert new == ("policy:\n  auto_resolve_threshold: 0.9   # keep me\n"
                   "  never_auto_resolve: [billing]\n"
                   "routing:\n  default: {group: null, priority: high}\n")
