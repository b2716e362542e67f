"""An operator's language files extend the shipped phrases and templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigError
from core.extra_phrases import with_phrases
from core.messages import line
from core.settings import Settings
from core.triggers import human_request
from infra.config import load_settings

POLISH = """
templates:
  offer: "Czy połączyć Pana/Panią z konsultantem?"
triggers:
  human_request: ['\\bdajcie\\s+(?:mi\\s+)?człowieka\\b']
  negation_after: ['^\\s*nie\\s+trzeba']
  high_risk:
    refund: ['\\bkasa\\s+z\\s+powrotem\\b']
"""


def asked(settings: Settings, text: str) -> bool:
    t = settings.triggers
    return human_request((text,), t.human_request, t.negation, t.negation_after) is not None


def test_an_operator_file_adds_phrases_cues_and_templates() -> None:
    settings = with_phrases(Settings(), {"pl": ("ops/pl.yaml", POLISH)})
    assert not asked(Settings(), "dajcie mi człowieka")
    assert asked(settings, "dajcie mi człowieka")
    assert not asked(settings, "dajcie mi człowieka nie trzeba, już wiem")
    assert asked(settings, "I want to speak to a person")  # the shipped ones stay
    assert r"\bkasa\s+z\s+powrotem\b" in settings.triggers.high_risk["refund"]
    assert line("offer", "pl", settings.language) == "Czy połączyć Pana/Panią z konsultantem?"


def test_the_settings_file_templates_win_over_an_operator_file() -> None:
    base = Settings.model_validate({"language": {"templates": {"pl": {"offer": "Mój tekst"}}}})
    settings = with_phrases(base, {"pl": ("ops/pl.yaml", POLISH)})
    assert settings.language.templates["pl"]["offer"] == "Mój tekst"


@pytest.mark.parametrize(("code", "text", "message"), [
    ("xx", POLISH, "'xx' is not one of language.languages"),
    ("pl", "triggers: {human_request: ['(a']}", "not a valid RE2 pattern"),
    ("pl", "triggers: {humans: []}", "unknown key(s) triggers.humans"),
    ("pl", "templates: [1, 2]", "must be mappings"),
    ("pl", "templates: {offer: '{x}'}", "unknown placeholder(s) x"),
])
def test_a_bad_operator_file_is_named(code: str, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        with_phrases(Settings(), {code: (f"ops/{code}.yaml", text)})
    assert message in str(info.value)


def test_load_settings_reads_phrases_dir_next_to_the_settings_file(tmp_path: Path) -> None:
    (tmp_path / "phrases").mkdir()
    (tmp_path / "phrases" / "pl.yaml").write_text(POLISH, encoding="utf-8")
    config = tmp_path / "handoff.yaml"
    config.write_text("language: {phrases_dir: phrases}\n", encoding="utf-8")
    assert asked(load_settings(config, {}), "dajcie mi człowieka")
    config.write_text("language: {phrases_dir: missing}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"phrases_dir = .*missing.*not a directory"):
        load_settings(config, {})
