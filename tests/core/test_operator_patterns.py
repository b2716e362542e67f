"""Regular expressions written by operators in the settings file run in linear time (RE2).

A pattern such as ``(a+)+$`` took Python's backtracking `re` 8 s on a 26-character
subject, per ticket. Each operator-written list is checked here through the code
that matches it; an invalid RE2 pattern fails at start-up naming the key and value.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core import lexicon
from core.errors import ConfigError
from core.guards import guard
from core.settings import ExclusionSettings, TriggerSettings, parse_settings
from core.triggers import detect
from tests.core.helpers import ticket

CATASTROPHIC = r"(a+)+$"
NEAR_MISS = "a" * 25 + "!"  # 26 characters: every way to split the a's is tried, then fails


@pytest.mark.parametrize("field", ["subject_patterns", "auto_responder_subjects"])
def test_a_catastrophic_subject_pattern_answers(field: str) -> None:
    exclusions = ExclusionSettings(**{field: (CATASTROPHIC,)})
    assert guard(ticket("Where is my order?", subject=NEAR_MISS), exclusions) is None
    reason = guard(ticket("Where is my order?", subject="a" * 26), exclusions)
    assert reason is not None
    assert reason.rule == f"exclusions.{field}[0]"


def test_a_catastrophic_sender_pattern_answers() -> None:
    exclusions = ExclusionSettings(auto_responder_senders=(r"^(a+)+@$",))
    near_miss = ticket("Where is my order?", email="a" * 25 + "!@example.com")
    assert guard(near_miss, exclusions) is None
    assert guard(ticket("Where is my order?", email="aaaa@example.com"), exclusions) is None
    exclusions = ExclusionSettings(auto_responder_senders=(r"^(a+)+@",))
    reason = guard(ticket("Where is my order?", email="aaaa@example.com"), exclusions)
    assert reason is not None
    assert reason.code == "auto_responder"


def test_catastrophic_trigger_patterns_answer() -> None:
    triggers = TriggerSettings(human_request=(CATASTROPHIC,),
                               high_risk={"spam": (CATASTROPHIC,)},
                               high_risk_except={"refund": (r"(x+)+y",)})
    quiet = {s.name for s in detect(ticket(NEAR_MISS), triggers)}
    assert "human_request" not in quiet
    assert "high_risk:spam" not in quiet
    assert "high_risk:refund" in {s.name for s in detect(
        ticket("I want a refund " + "x" * 25 + "!"), triggers)}
    loud = {s.name for s in detect(ticket("a" * 26), triggers)}
    assert {"human_request", "high_risk:spam"} <= loud


def test_operator_patterns_keep_their_flags() -> None:
    """Case-insensitive everywhere; per line (``^``, ``$``) in triggers, as before."""
    exclusions = ExclusionSettings(subject_patterns=(r"^\[press\]",))
    assert guard(ticket("Hi", subject="[PRESS] launch"), exclusions) is not None
    triggers = TriggerSettings(human_request=(r"^manager$",))
    found = [s for s in detect(ticket("Thanks.\nMANAGER\nNow."), triggers)
             if s.name == "human_request"]
    assert [s.evidence for s in found] == ["MANAGER"]


def test_the_built_in_lexicon_keeps_python_patterns() -> None:
    """The shipped lists use look-arounds RE2 lacks; they still match as before."""
    assert any("(?!" in p for patterns in lexicon.HIGH_RISK.values() for p in patterns) or any(
        "(?!" in p for p in lexicon.HUMAN_REQUEST)
    names = {s.name for s in detect(ticket("Quero falar com alguém, por favor"),
                                    TriggerSettings())}
    assert "human_request" in names


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("exclusions:\n  subject_patterns: ['(a)\\1']\n", "exclusions.subject_patterns",
         r"(a)\\1"),
        ("exclusions:\n  auto_responder_senders: ['^(?=x)no-reply@']\n",
         "exclusions.auto_responder_senders", "^(?=x)no-reply@"),
        ("exclusions:\n  auto_responder_subjects: ['(?<!re: )out of office']\n",
         "exclusions.auto_responder_subjects", "(?<!re: )out of office"),
        ("triggers:\n  human_request: ['manager(?!ial)']\n", "triggers.human_request",
         "manager(?!ial)"),
        ("triggers:\n  high_risk:\n    fraud: ['(?P<x>a)(?P=x)']\n", "triggers.high_risk",
         "(?P<x>a)(?P=x)"),
        ("triggers:\n  high_risk_except:\n    refund: ['policy(?= now)']\n",
         "triggers.high_risk_except", "policy(?= now)"),
    ],
    ids=["backreference", "lookahead", "lookbehind", "negative-lookahead", "named-backref",
         "except-lookahead"],
)
def test_a_pattern_re2_cannot_run_fails_at_start_up_naming_key_and_value(
    text: str, key: str, value: str, tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, "handoff.yaml", {}, tmp_path)
    message = str(caught.value)
    assert key in message
    assert value in message
    assert "RE2" in message


def test_the_joined_prefilter_misses_only_where_every_pattern_misses() -> None:
    """`any_of` lets the triggers skip a text at once; it must never skip one that a
    single pattern matches (the built-in `re` ones and the RE2 ones alike)."""
    import yaml

    from core.patterns import any_of
    from core.triggers import compiled

    triggers = TriggerSettings(human_request=(*lexicon.HUMAN_REQUEST, r"\bstop\s+the\s+bot\b"))
    lists = [triggers.human_request, *triggers.high_risk.values()]
    texts = [text for path in sorted(Path(__file__).parents[2].glob("bench/multilingual/*.yaml"))
             for group in yaml.safe_load(path.read_text(encoding="utf-8")).values()
             for text in group]
    texts += ["Please STOP the bot", "no match here at all", ""]
    assert len(texts) > 500
    hits = 0
    for patterns in lists:
        joined = any_of(tuple(patterns), per_line=True)
        for text in texts:
            single = any(p.search(text) is not None for p in compiled(tuple(patterns)))
            assert joined.search(text) is single, (patterns[:2], text)
            hits += single
    assert hits > 50  # the texts do exercise the patterns
