"""Every ``handoff`` command, run as a user runs it, once with a bad input: a message that
names what is wrong, the documented exit code (2 bad usage, configuration or input; 1 a
helpdesk or Redis that fails), and never a traceback.

The commands are found by walking the click group, so a new command without a case here
fails `test_every_command_has_a_bad_input_case`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from worker.cli import main
from worker.cli.base import EXIT_CONFIG, EXIT_FAILED, leaf_commands

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens on it
MISSPELT = "policy:\n  auto_resolve_treshold: 0.9\n"
ZENDESK_DOWN = (f"platforms:\n  zendesk: {{base_url: {UNREACHABLE}/api/v2, email: a@b.test, "
                "ai_user_id: '1', max_attempts: 1, max_total_wait_seconds: 0}\n"
                "escalation:\n  ladders:\n    support: [{name: one, group: '1'}, "
                "{name: two, group: '2'}]\n")
ZENDESK_SECRETS = {"HANDOFF_ZENDESK_API_TOKEN": "t", "HANDOFF_ZENDESK_SIGNING_SECRET": "s"}
NO_REQUESTER = ('{"id": "t1", "subject": "hi", "messages": [{"author": "customer", '
                '"body": "hello", "created_at": "2026-01-01T00:00:00+00:00"}]}\n')


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    says: str
    config: str | None = None  # the settings file's text, passed with --config
    files: dict[str, str] = field(default_factory=dict)  # written into the working directory
    env: dict[str, str] = field(default_factory=dict)


CASES: dict[tuple[str, ...], Case] = {
    ("calibrate",): Case(("calibrate", "t.jsonl"), EXIT_CONFIG, "t.jsonl:2: not JSON",
                         files={"t.jsonl": NO_REQUESTER + "{oops\n"}),
    ("check-config",): Case(("check-config",), EXIT_CONFIG,
                            "did you mean auto_resolve_threshold?", config=MISSPELT),
    ("demo",): Case(("demo", "--samples", "s.jsonl"), EXIT_CONFIG, "s.jsonl:2: not JSON",
                    files={"s.jsonl": NO_REQUESTER + "nope\n"}),
    ("escalate",): Case(("escalate", "zendesk", "1"), EXIT_FAILED, "helpdesk error:",
                        config=ZENDESK_DOWN, env=ZENDESK_SECRETS),
    ("escalations", "dismiss"): Case(("escalations", "dismiss", "1"), EXIT_CONFIG,
                                     "Missing option '--note'"),
    ("escalations", "list"): Case(("escalations", "list"), EXIT_CONFIG, "DATABASE_URL",
                                  env={"DATABASE_URL": "nosuchdb://x"}),
    ("escalations", "resolve"): Case(("escalations", "resolve", "one"), EXIT_CONFIG,
                                     "'one' is not a valid integer"),
    ("escalations", "return"): Case(("escalations", "return", "7"), EXIT_FAILED,
                                    "nothing changed"),
    ("export",): Case(("export", "zendesk", "--since", "someday", "--out", "x.jsonl"),
                      EXIT_CONFIG, "--since"),
    ("failed",): Case(("failed",), EXIT_FAILED, "cannot reach Redis",
                      env={"REDIS_URL": "redis://127.0.0.1:9/0"}),
    ("init",): Case(("init", "f/site"), EXIT_CONFIG, "cannot write the starter files",
                    files={"f": ""}),
    ("install",): Case(("install", "gorgias", "--public-url", "https://h.example"),
                       EXIT_CONFIG, "platforms.gorgias"),
    ("learn",): Case(("learn", "h.jsonl"), EXIT_CONFIG, "h.jsonl: no JSON ticket object",
                     files={"h.jsonl": "[\n"}),
    ("policy", "edit"): Case(("policy", "edit", "draft billing", "--yes"), EXIT_CONFIG,
                             "no `llm:` section"),
    ("policy", "test"): Case(("policy", "test", "t.json"), EXIT_CONFIG,
                             "missing field 'requester'", files={"t.json": NO_REQUESTER}),
    ("purge",): Case(("purge", "--older-than", "0d"), EXIT_CONFIG, "'0d' is not a period"),
    ("replay",): Case(("replay",), EXIT_CONFIG, "give the ids of the jobs to replay"),
    ("report",): Case(("report", "--html", "missing/dir/r.html"), EXIT_CONFIG,
                      "missing/dir/r.html"),
    ("sandbox",): Case(("sandbox",), EXIT_CONFIG, "set HANDOFF_ZENDESK_API_TOKEN",
                       env={"HANDOFF_FRESHDESK_API_TOKEN": "t"}),
    ("serve",): Case(("serve",), EXIT_CONFIG, "did you mean auto_resolve_threshold?",
                     config=MISSPELT),
    ("simulate",): Case(("simulate", "t.jsonl", "--sweep", "--max-wrong", "abc"), EXIT_CONFIG,
                        "'abc' is not a share", files={"t.jsonl": NO_REQUESTER}),
    ("worker",): Case(("worker",), EXIT_CONFIG, "did you mean auto_resolve_threshold?",
                      config=MISSPELT),
}


def test_every_command_has_a_bad_input_case() -> None:
    assert {name for name, _ in leaf_commands(main)} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES), ids=" ".join)
def test_a_bad_input_gets_a_clean_message_and_the_documented_exit_code(
    name: tuple[str, ...], tmp_path: Path
) -> None:
    case = CASES[name]
    for file, text in case.files.items():
        (tmp_path / file).write_text(text)
    args = list(case.args)
    if case.config is not None:
        (tmp_path / "knowledge").symlink_to(ROOT / "config" / "knowledge")
        (tmp_path / "handoff.yaml").write_text(case.config)
        args += ["--config", "handoff.yaml"]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HANDOFF_") and k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update({"HANDOFF_HOME": str(tmp_path / "home"), **case.env})
    result = subprocess.run([sys.executable, "-m", "worker", *args], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == case.code, output
    assert case.says in output, output
    assert "alembic" not in output
    assert "Redis shutdown failed" not in output


def test_simulate_out_and_sweep_skip_the_same_bad_lines(tmp_path: Path) -> None:
    good = (ROOT / "config" / "samples" / "tickets.jsonl").read_text().splitlines()[0]
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(f"{good}\n{{oops\n{NO_REQUESTER}{good}\n")
    skipped = [f"{tickets}:2: skipped: not JSON",
               f"{tickets}:3: skipped: not a canonical ticket: missing field 'requester'"]
    env = {"HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml"),
           "HANDOFF_HOME": str(tmp_path / "home")}
    runs = {
        "out": ["simulate", str(tickets), "--quiet", "--out", str(tmp_path / "d.jsonl")],
        "sweep": ["simulate", str(tickets), "--quiet", "--sweep", "--json"],
    }
    for how, args in runs.items():
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 0, (how, result.output)
        for line in skipped:
            assert line in result.stderr, (how, result.stderr)
    assert len((tmp_path / "d.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize("args", [["report", "--html", "r.html"],
                                  ["simulate", "t.jsonl", "--sweep", "--html", "r.html"]])
def test_html_reports_without_matplotlib_name_the_extra(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an install without it gives
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.jsonl").write_text(NO_REQUESTER)
    result = CliRunner().invoke(main, args, env={
        "HANDOFF_HOME": str(tmp_path / "home"),
        "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml")})
    assert result.exit_code == EXIT_CONFIG, result.output
    assert "pip install 'helpdesk-handoff[reports]'" in result.output
    assert not (tmp_path / "r.html").exists()
