"""``handoff simulate`` on an exported history decides each ticket at its first customer
turn, on all three platforms (through the export_sandbox helpdesk and the real export)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.worker.support import PLATFORMS, SINCE, Sandbox, seven
from worker.cli import main
from worker.cli.exporter import export

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_exported_tickets_are_decided_at_the_first_customer_turn(
    export_sandbox: Sandbox, platform: str, tmp_path: Path
) -> None:
    made = seven(export_sandbox, platform)
    out, decisions = tmp_path / "history.jsonl", tmp_path / "decisions.jsonl"
    export(export_sandbox.connector(platform), SINCE, out, page_size=3)
    config = tmp_path / "handoff.yaml"
    config.write_text(f"knowledge_dir: {ROOT / 'config' / 'knowledge'}\n"
                      f"index_dir: {tmp_path / 'index'}\n", encoding="utf-8")

    result = CliRunner().invoke(main, ["simulate", str(out), "--config", str(config),
                                       "--out", str(decisions), "--quiet"])

    assert result.exit_code == 0, result.output
    lines = {x["id"]: x for x in map(json.loads, decisions.read_text().splitlines())}
    assert sorted(lines) == sorted(made.values())
    for line in lines.values():  # "Where is my parcel?" at the moment it was asked
        assert line["path"] != "skip", line
        assert line["sources"][0] == "track_order", line
    every = CliRunner().invoke(main, ["simulate", str(out), "--config", str(config),
                                      "--out", str(decisions), "--quiet", "--every-turn"])
    assert every.exit_code == 0, every.output
    assert "tickets: 7" in every.output  # each thread has one customer turn
    swept = CliRunner().invoke(main, ["simulate", str(out), "--sweep", "--json", "--config",
                                      str(config), "--quiet"])
    assert swept.exit_code == 0, swept.output
    assert json.loads(swept.output)["at"]["skip"] == 0
