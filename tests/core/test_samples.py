"""The sample tickets in config/samples get the path and reason their labels expect."""

from __future__ import annotations

from typing import Any

import pytest

from core.engine import decide
from core.models import Path
from core.scorer import LexicalScorer
from core.settings import ExclusionSettings, Settings, parse_settings
from tests.core.helpers import ROOT, from_canonical, samples

CONFIG = ROOT / "config" / "handoff.yaml"
ROWS = samples()


def sample_settings() -> Settings:
    """config/handoff.yaml when present (it excludes the legal_hold tag), else the same
    exclusion on default settings."""
    if CONFIG.exists():
        return parse_settings(CONFIG.read_text(encoding="utf-8"), str(CONFIG), {}, CONFIG.parent)
    return Settings(exclusions=ExclusionSettings(tags=("legal_hold",)))


def test_samples_cover_every_path_and_trigger() -> None:
    paths = {row["labels"]["expect_path"] for row in ROWS}
    reasons = {row["labels"].get("expect_reason") for row in ROWS}

    assert paths == {p.value for p in Path}
    assert {
        "human_request",
        "high_risk:refund",
        "high_risk:billing",
        "high_risk:legal",
        "high_risk:security",
        "high_risk:cancellation",
        "low_confidence",
        "vip",
        "excluded_tag",
    } <= reasons
    assert sum(row["labels"]["expect_path"] == "auto_resolve" for row in ROWS) >= 3
    assert sum(row["labels"]["expect_path"] == "draft" for row in ROWS) >= 2


def test_labels_never_reach_the_engine() -> None:
    for row in ROWS:
        assert "labels" not in from_canonical(row).model_dump()


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_sample_gets_its_expected_path(row: dict[str, Any], scorer: LexicalScorer) -> None:
    decision = decide(from_canonical(row), scorer, sample_settings())

    labels = row["labels"]
    assert decision.path.value == labels["expect_path"], decision.reasons
    if "expect_reason" in labels:
        assert decision.reasons[0].code == labels["expect_reason"], decision.reasons
