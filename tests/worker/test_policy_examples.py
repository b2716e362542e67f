"""The README's three example policies work as written: its YAML is the example file, and
each ``handoff policy test`` output it shows is what the command prints today."""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from worker.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
# What each policy must do, whatever the README shows: (path, rule reason, group).
EXPECTED = {
    "billing-large": ("escalate", "rule:billing_disputes_over_500", "billing-leads"),
    "billing-small": ("draft", None, None),
    "new-customer": ("escalate", "rule:new_customers_go_to_a_senior", "seniors"),
    "legal-threat": ("escalate", "rule:legal_threats_go_to_tier_2_then_legal", "tier-2"),
}
EXAMPLES = re.findall(r"<!-- policy-example: ([a-z-]+) -->\n```text\n\$ (.*?)\n(.*?)```",
                      README, flags=re.S)


def test_the_readme_shows_the_example_file_verbatim() -> None:
    [shown] = re.findall(r"<!-- policy-config -->\n```yaml\n(.*?)```", README, flags=re.S)
    assert shown == (ROOT / "config" / "examples" / "policies.yaml").read_text(encoding="utf-8")


def test_the_readme_shows_an_example_per_policy() -> None:
    assert [name for name, _, _ in EXAMPLES] == [
        "billing-large", "billing-small", "new-customer", "legal-threat"]


@pytest.mark.parametrize(("name", "command", "shown"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_each_readme_example_prints_what_the_readme_shows(
    name: str, command: str, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    args = shlex.split(command)
    assert args[:3] == ["handoff", "policy", "test"]
    assert f"tickets/{name}.json" in command
    result = CliRunner().invoke(main, args[1:])
    assert result.exit_code == 0, result.output
    path, reason, group = EXPECTED[name]
    assert f"\npath: {path}\n" in result.output
    assert (f"  reason {reason} (" in result.output) if reason else ("reason rule:" not in
                                                                      result.output)
    assert (f"assign group={group}\n" in result.output) if group else ("assign" not in
                                                                       result.output)
    # On a mismatch, regenerate the README block from this output.
    assert result.output == shown
