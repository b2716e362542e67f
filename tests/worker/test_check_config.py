"""`handoff check-config` on good and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from worker.cli import main

GOOD_PLATFORM = """
platforms:
  zendesk:
    subdomain: acme
    email: ai@acme.test
"""


def run(path: Path, *options: str, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check-config", "--config", str(path), *options], env=env)
    return result.exit_code, result.output


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "knowledge").symlink_to(ROOT / "config" / "knowledge")
    path = tmp_path / "handoff.yaml"
    path.write_text(text)
    return path


def test_shipped_config_is_valid() -> None:
    code, output = run(ROOT / "config" / "handoff.yaml", "--all")
    assert code == 0, output
    assert "auto_resolve_threshold: 0.9" in output


def test_only_what_differs_from_the_defaults_is_printed_unless_all(tmp_path: Path) -> None:
    path = write(tmp_path, "policy:\n  draft_threshold: 0.6\n  auto_resolve_threshold: 0.9\n")
    code, output = run(path)
    assert code == 0, output
    assert "draft_threshold: 0.6" in output
    assert "auto_resolve_threshold" not in output  # the default value
    assert "triggers:" not in output
    code, everything = run(path, "--all")
    assert code == 0
    assert "auto_resolve_threshold: 0.9" in everything
    assert "triggers:" in everything
    assert len(everything.splitlines()) > 5 * len(output.splitlines())


def test_handoff_config_in_the_environment_is_the_same_as_the_option(tmp_path: Path) -> None:
    path = write(tmp_path, "policy:\n  draft_threshold: 0.6\n")
    result = CliRunner().invoke(main, ["check-config"], env={"HANDOFF_CONFIG": str(path)})
    assert result.exit_code == 0, result.output
    assert f"# {path}:" in result.output
    assert "draft_threshold: 0.6" in result.output


def test_secrets_from_environment_are_masked(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_PLATFORM)
    code, output = run(
        path, HANDOFF_ZENDESK_API_TOKEN="tok-123456", HANDOFF_ZENDESK_SIGNING_SECRET="sig-654321"
    )
    assert code == 0, output
    assert "tok-123456" not in output
    assert "sig-654321" not in output
    assert "api_token: '***'" in output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("policy:\n  auto_resolve_treshold: 0.9\n",
         "policy.auto_resolve_treshold = 0.9: unknown key; did you mean auto_resolve_threshold?"),
        ("routing:\n  by_reason:\n    vip: {grop: '1'}\n",
         "routing.by_reason.vip.grop = '1': unknown key; did you mean group?"),
        ("polcy: {}\n", "polcy = {}: unknown key; did you mean policy?"),
        ("policy:\n  draft_threshold: 1.7\n", "policy.draft_threshold = 1.7"),
        ("queue:\n  job_timeout_seconds: soon\n", "queue.job_timeout_seconds = 'soon'"),
        ("policy: [1, 2\n", "not valid YAML"),
        (GOOD_PLATFORM + "    api_token: abc\n", "HANDOFF_ZENDESK_API_TOKEN"),
    ],
    ids=["misspelt-key", "misspelt-key-under-a-mapping", "misspelt-section", "out-of-range",
         "wrong-type", "bad-yaml", "secret-in-file"],
)
def test_bad_file_names_key_and_value_and_exits_2(tmp_path: Path, text: str, expected: str) -> None:
    code, output = run(write(tmp_path, text))
    assert code == 2
    assert expected in output


def test_enabled_platform_without_secrets_fails_at_start_up(tmp_path: Path) -> None:
    code, output = run(write(tmp_path, GOOD_PLATFORM))
    assert code == 2
    assert "HANDOFF_ZENDESK_" in output


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    code, output = run(tmp_path / "nope.yaml")
    assert code == 2
    assert "nope.yaml" in output


def test_a_knowledge_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    for article in (ROOT / "config" / "knowledge").glob("*.md"):
        (knowledge / article.name).write_bytes(article.read_bytes())
    (knowledge / "returns-fr.md").write_bytes(
        "---\nid: returns-fr\ntitle: Retours\n---\nDélai de rétractation\n".encode("latin-1"))
    path = tmp_path / "handoff.yaml"
    path.write_text("knowledge_dir: kb\n")
    code, output = run(path)
    assert code == 2
    assert "returns-fr.md" in output
    assert "UTF-8" in output


def test_a_settings_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    path.write_bytes("# Réglages\npolicy:\n  mode: live\n".encode("latin-1"))
    code, output = run(path)
    assert code == 2
    assert "handoff.yaml" in output
    assert "UTF-8" in output


def test_check_config_lists_complete_languages_and_what_falls_back(tmp_path: Path) -> None:
    path = write(tmp_path, """
language:
  languages: [en, de, ru]
  fallback: en
  templates:
    ru: {human_request: "Конечно, соединяю вас с сотрудником."}
""")  # noqa: RUF001 (Cyrillic is the point)
    code, output = run(path)
    assert code == 0, output
    assert "# language en: complete" in output
    assert "# language de: complete" in output
    missing = next(line for line in output.splitlines() if line.startswith("# language ru:"))
    assert "falling back to en" in missing
    assert "on_it" in missing
    assert "human_request" not in missing.split(": ", 2)[2].split(", ")
