"""`worker.scoring.warm_up`: a worker builds the engine's lazy parts before its first job,
and calls no helpdesk or LLM to do it."""

from __future__ import annotations

from pathlib import Path

import respx

from core.language import detector
from core.settings import Settings
from core.triggers import compiled
from tests.conftest import ROOT
from worker.scoring import build_scorer, warm_up


def test_warm_up_builds_the_language_model_and_the_trigger_patterns(tmp_path: Path) -> None:
    settings = Settings(knowledge_dir=ROOT / "config" / "knowledge", index_dir=tmp_path)
    scorer = build_scorer(settings)
    detector.cache_clear()
    compiled.cache_clear()
    warm_up(scorer, settings)
    assert detector.cache_info().currsize == 1
    assert compiled.cache_info().currsize > 0


def test_warm_up_with_an_llm_scorer_sends_nothing(tmp_path: Path) -> None:
    settings = Settings(knowledge_dir=ROOT / "config" / "knowledge", index_dir=tmp_path,
                        llm={"provider": "anthropic", "model": "claude-test"})
    scorer = build_scorer(settings, env={"HANDOFF_LLM_API_KEY": "k"})
    with respx.mock(assert_all_called=False) as router:
        warm_up(scorer, settings)
    assert router.calls.call_count == 0
