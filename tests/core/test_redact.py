"""Masking of personal data before logging or storing."""

from __future__ import annotations

import random

import pytest

from core import redact
from core.redact import mask
from tests.conftest import ROOT
from worker.demo import read_samples


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe+x@mail.example.com now", "write to [email] now"),
        ("card 4111 1111 1111 1111 expired", "card [card] expired"),
        ("card 4111-1111-1111-1111", "card [card]"),
        ("call +1 415 555 0134 today", "call [phone] today"),
        ("call (030) 1234 5678", "call [phone]"),
        ("order 123456789 is late", "order 123456789 is late"),
        ("not a card 1234 5678 9012 3456", "not a card 1234 5678 9012 3456"),
        ("nothing personal here", "nothing personal here"),
        ("delivered 2026-01-05, ordered 05.01.2026", "delivered 2026-01-05, ordered 05.01.2026"),
        ("retry at 2026-11-22 06:09:09.711", "retry at 2026-11-22 06:09:09.711"),
    ],
)
def test_mask(text: str, expected: str) -> None:
    assert mask(text) == expected


def _every_pattern(text: str) -> str:
    """The masking without its shortcuts: all three patterns over any text."""
    text = redact._EMAIL.sub("[email]", text)
    text = redact._CARD.sub(redact._card, text)
    return redact._PHONE.sub(redact._phone, text)


def test_the_shortcuts_change_no_result() -> None:
    """`mask` skips a pattern that cannot match (no "@"; no digit, separator, digit): over
    the sample tickets, log lines and random strings it masks what all patterns would."""
    samples = read_samples(ROOT / "config" / "samples" / "tickets.jsonl")
    texts = [m["body"] for s in samples for m in s["messages"]]
    texts += [s["subject"] for s in samples] + [s["requester"]["email"] for s in samples]
    texts += ["webhook zendesk ticket=1234 event=ev-5678-abc job=handoff-zendesk-3f9a8b7c "
              "duplicate=False", "decided path=escalate confidence=0.42",
              "job in 0:00:00.031234s", "reach me at +44 20 7946 0958 or a@b.co"]
    rng = random.Random(7)
    alphabet = "0123456789 .-+()@ab_"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
              for _ in range(5000)]
    assert len(texts) > 5000
    changed = [t for t in texts if _every_pattern(t) != t]
    assert len(changed) > 100  # the corpus does exercise the patterns
    for text in texts:
        assert mask(text) == _every_pattern(text), text
