"""``handoff simulate`` and ``handoff calibrate`` on the repository's samples."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import ROOT
from tests.worker.support import SAMPLES_FILE, engine_config
from worker.cli import main


def test_simulate_writes_one_line_per_ticket_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "decisions.jsonl"
    result = CliRunner().invoke(
        main, ["simulate", str(SAMPLES_FILE), "--config", str(engine_config(tmp_path)),
               "--out", str(out), "--quiet"],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    samples = [json.loads(x) for x in SAMPLES_FILE.read_text().splitlines() if x.strip()]
    assert [x["id"] for x in lines] == [s["id"] for s in samples]
    for line, sample in zip(lines, samples, strict=True):
        assert line["path"] == sample["labels"]["expect_path"], line
    assert "tickets: 16" in result.output
    assert (tmp_path / "index").is_dir()


def test_calibrate_saves_a_calibration_with_the_index(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["calibrate", "--config", str(engine_config(tmp_path))])
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "index" / "calibration.json").read_text())
    assert saved["method"] == "platt"
    assert saved["samples"] > 0
    assert "ECE before" in result.output


def test_simulate_refuses_a_bad_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["simulate", str(bad), "--config", str(engine_config(tmp_path)), "--out",
               str(tmp_path / "o.jsonl"), "--quiet"],
    )
    assert result.exit_code == 2


def test_llm_scorer_needs_its_key_from_the_environment(tmp_path: Path) -> None:
    import pytest

    from core.errors import ConfigError
    from core.llm import LLMScorer
    from core.settings import Settings
    from worker.scoring import build_scorer

    settings = Settings(
        knowledge_dir=ROOT / "config" / "knowledge", index_dir=tmp_path,
        llm={"provider": "anthropic", "model": "claude-test"},
    )
    with pytest.raises(ConfigError, match="HANDOFF_LLM_API_KEY"):
        build_scorer(settings, env={})
    assert isinstance(build_scorer(settings, env={"HANDOFF_LLM_API_KEY": "k"}), LLMScorer)


def test_helpdesk_knowledge_is_added_when_enabled(tmp_path: Path) -> None:
    from typing import Any, cast

    from core.errors import TransientError
    from core.knowledge import KnowledgeDoc
    from core.settings import Settings
    from worker.scoring import gather_knowledge

    remote = KnowledgeDoc(id="zd-1", title="Gift wrap", category="HELP",
                          examples=("Do you gift wrap?",), body="Yes.")

    class Helpdesk:
        def __init__(self, fail: bool) -> None:
            self.fail = fail

        def list_knowledge(self) -> list[KnowledgeDoc]:
            if self.fail:
                raise TransientError("down")
            return [remote]

    connectors = cast(Any, {"a": Helpdesk(False), "b": Helpdesk(True)})
    local = Settings(knowledge_dir=ROOT / "config" / "knowledge")
    assert "zd-1" not in {d.id for d in gather_knowledge(local, connectors)}
    both = local.model_copy(update={"knowledge_from_helpdesk": True})
    assert "zd-1" in {d.id for d in gather_knowledge(both, connectors)}
