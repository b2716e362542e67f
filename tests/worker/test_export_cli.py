"""``handoff export`` from the command line, and its output read by ``handoff simulate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.worker.support import ZD_EMAIL, ZD_TOKEN, Sandbox, rows, seven
from worker.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(
    export_sandbox: Sandbox, tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Path:
    file = tmp_path / "handoff.yaml"
    file.write_text(yaml.safe_dump({
        "platforms": {"zendesk": {"base_url": f"{export_sandbox.url}/zendesk/api/v2",
                                  "email": ZD_EMAIL, "ai_user_id": "900"}},
        "knowledge_dir": str(ROOT / "config" / "knowledge"),
        "index_dir": str(tmp_path / "index"),
    }), encoding="utf-8")
    monkeypatch.setenv("HANDOFF_ZENDESK_API_TOKEN", ZD_TOKEN)
    monkeypatch.setenv("REDIS_URL", redis_url)
    return file


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_export_then_simulate_and_sweep_read_the_file(
    export_sandbox: Sandbox, config: Path, tmp_path: Path
) -> None:
    made = seven(export_sandbox, "zendesk")
    out, decisions = tmp_path / "history.jsonl", tmp_path / "decisions.jsonl"

    code, output = run("export", "zendesk", "--since", "2020-01-01", "--out", str(out),
                       "--page-size", "3", "--config", str(config), "--quiet")

    assert code == 0, output
    assert "exported 7 tickets this run, 7 in" in output
    assert sorted(r["id"] for r in rows(out)) == sorted(made.values())
    code, output = run("simulate", str(out), "--config", str(config), "--out", str(decisions),
                       "--quiet")
    assert code == 0, output
    assert "tickets: 7" in output
    assert sorted(json.loads(x)["id"] for x in decisions.read_text().splitlines()) == sorted(
        made.values())
    code, output = run("simulate", str(out), "--sweep", "--json", "--config", str(config),
                       "--quiet")
    assert code == 0, output
    # Two exported tickets carry an expect_path the sweep can judge: the AI-solved ones.
    assert json.loads(output)["grid"][0]["labelled"] == 2


def test_limit_then_rerun_resumes(export_sandbox: Sandbox, config: Path, tmp_path: Path) -> None:
    seven(export_sandbox, "zendesk")
    out = tmp_path / "history.jsonl"
    args = ["export", "zendesk", "--since", "2020-01-01T00:00:00Z", "--out", str(out),
            "--page-size", "3", "--config", str(config), "--quiet"]

    code, output = run(*args, "--limit", "5")
    assert code == 0, output
    assert "stopped at --limit 5" in output
    code, output = run(*args)
    assert code == 0, output
    assert "exported 2 tickets this run, 7 in" in output
    code, output = run(*args)
    assert "exported 0 tickets this run, 7 in" in output


def test_a_failing_helpdesk_exits_1_and_says_how_to_resume(
    export_sandbox: Sandbox, config: Path, tmp_path: Path
) -> None:
    seven(export_sandbox, "zendesk")
    export_sandbox.fault(method="GET", path="/incremental/", status=401, times=None)
    out = tmp_path / "history.jsonl"

    code, output = run("export", "zendesk", "--since", "2020-01-01", "--out", str(out),
                       "--config", str(config), "--quiet")

    assert code == 1
    assert "run the same command again to resume" in output


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01", "01/02/2026", ""])
def test_a_bad_since_is_a_usage_error(since: str, tmp_path: Path) -> None:
    out = tmp_path / "history.jsonl"
    code, output = run("export", "zendesk", "--since", since, "--out", str(out))
    assert code == 2
    assert "is not a date: use YYYY-MM-DD" in output
    assert not out.exists()


def test_an_unknown_platform_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("export", "kayako", "--since", "2026-01-01", "--out",
                       str(tmp_path / "x.jsonl"))
    assert code == 2
    assert "kayako" in output


def test_an_unconfigured_platform_is_a_configuration_error(
    config: Path, tmp_path: Path
) -> None:
    code, output = run("export", "gorgias", "--since", "2026-01-01", "--out",
                       str(tmp_path / "x.jsonl"), "--config", str(config))
    assert code == 2
    assert "platforms.gorgias" in output


def test_the_progress_bar_counts_tickets_against_the_helpdesks_count(
    export_sandbox: Sandbox, config: Path, tmp_path: Path
) -> None:
    seven(export_sandbox, "zendesk")
    code, output = run("export", "zendesk", "--since", "2020-01-01", "--out",
                       str(tmp_path / "history.jsonl"), "--config", str(config))
    assert code == 0, output
    assert "7/7 tickets" in output
    assert "ETA" in output
