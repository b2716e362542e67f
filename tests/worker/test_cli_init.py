"""`handoff init`, `--version` and the `--config` option every command shares."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from infra.config import load_knowledge, load_settings
from tests.conftest import ROOT
from worker.cli import main
from worker.cli.base import leaf_commands


def test_init_writes_a_valid_starter_and_prints_three_next_steps(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    settings = load_settings(site / "handoff.yaml", env={})
    assert not settings.platforms.enabled()
    assert [doc.id for doc in load_knowledge(settings.knowledge_dir)] == ["reset_password"]
    assert (site / ".env.example").is_file()
    steps = result.output.split("next steps:")[1]
    assert re.findall(r"^  (\d)\. ", steps, re.MULTILINE) == ["1", "2", "3"]
    assert f"--config {site / 'handoff.yaml'}" in steps


def test_init_overwrites_nothing_without_force(tmp_path: Path) -> None:
    (tmp_path / "handoff.yaml").write_text("policy: {}\n")
    refused = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert refused.exit_code == 2
    assert "already exist" in refused.output
    assert (tmp_path / "handoff.yaml").read_text() == "policy: {}\n"
    assert not (tmp_path / ".env.example").exists()
    forced = CliRunner().invoke(main, ["init", str(tmp_path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "platforms:" in (tmp_path / "handoff.yaml").read_text()


def test_init_into_a_place_that_cannot_be_written_is_a_clean_exit_2(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "file" / "site")])
    assert result.exit_code == 2, result.output
    assert "cannot write the starter files" in result.output


def test_env_example_lists_every_environment_variable_the_code_reads() -> None:
    listed = (ROOT / "worker" / "cli" / "starter" / "env.example").read_text()
    source = "\n".join(p.read_text() for package in ("core", "connectors", "infra", "receiver",
                                                     "worker")
                       for p in (ROOT / package).rglob("*.py"))
    # Whole names only: f-string prefixes such as HANDOFF_NOTIFY_ end in "_" or "{".
    used = set(re.findall(r"\b(HANDOFF_[A-Z0-9_]*[A-Z0-9])\b(?![_{<])", source))
    used |= {"REDIS_URL", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"}
    assert len(used) > 10
    assert {name for name in used if name not in listed} == set()
    assert "HANDOFF_NOTIFY_" in listed


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"handoff, version {version('helpdesk-handoff')}\n"


def test_every_command_takes_config_with_handoff_config_behind_it() -> None:
    commands = dict(leaf_commands(main))
    assert ("policy", "test") in commands
    assert ("escalations", "list") in commands
    for name, command in commands.items():
        (option,) = [p for p in command.params if "--config" in p.opts]
        assert isinstance(option, click.Option), name
        assert option.envvar == "HANDOFF_CONFIG", name


def test_config_reaches_the_settings_and_is_restored_afterwards(tmp_path: Path) -> None:
    before = os.environ.get("HANDOFF_CONFIG")
    result = CliRunner().invoke(main, ["failed", "--config", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml: cannot read the settings file" in result.output
    assert os.environ.get("HANDOFF_CONFIG") == before
    # Also when an argument after --config is refused while parsing.
    refused = CliRunner().invoke(main, ["install", "zendesk", "--config", "x.yaml",
                                        "--public-url", "ftp://nope"])
    assert refused.exit_code == 2
    assert os.environ.get("HANDOFF_CONFIG") == before


@pytest.mark.parametrize("module", ["worker", "worker.cli"])
def test_python_dash_m_is_the_handoff_command(module: str) -> None:
    from importlib.metadata import version

    result = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"handoff, version {version('helpdesk-handoff')}\n"
