"""Masking of personal data before logging or storing."""

from __future__ import annotations

import random

import pytest

from core import redact
from core.redact import mask
from tests.conftest import ROOT
from worker.cli.demo import read_samples


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
        # E.164 and national numbers written without separators.
        ("call +4915123456789 today", "call [phone] today"),
        ("my cell is 4155550132.", "my cell is [phone]."),
        ("ring 14155550132 or +49 15123456789", "ring [phone] or [phone]"),
        ("mobile 07700900123, fixed 0612345678", "mobile [phone], fixed [phone]"),
        ("from abroad 004915123456789", "from abroad [phone]"),
        # Not phone-shaped: epoch seconds and milliseconds, ids inside words, short runs.
        ("at 1718000000.123 took 1718000000123 ms", "at 1718000000.123 took 1718000000123 ms"),
        ("job=handoff-4155550132ab ref A4155550132", "job=handoff-4155550132ab ref A4155550132"),
        ("id=4155550132 #4155550132 /t/4155550132", "id=4155550132 #4155550132 /t/4155550132"),
        # Obfuscated e-mail addresses.
        ("write jane at example dot com", "write [email]"),
        ("write jane.doe[at]example.com", "write [email]"),
        ("write jane.doe (at) example (dot) co (dot) uk!", "write [email]!"),
        ("JANE{AT}EXAMPLE{DOT}COM", "[email]"),
        ("jane [at] example [dot] com", "[email]"),
        ("jane at mail.example dot org", "[email]"),
        ("jane@example dot com", "[email]"),
        # Ordinary English with "at" and "dot" stays.
        ("arrived at 5.30, see help at acme.com", "arrived at 5.30, see help at acme.com"),
        ("look at the dot on the map", "look at the dot on the map"),
    ],
)
def test_mask(text: str, expected: str) -> None:
    assert mask(text) == expected


def _every_pattern(text: str) -> str:
    """The masking without its shortcuts: every pattern over any text, in `mask`'s order."""
    text = redact._EMAIL.sub("[email]", text)
    text = redact._SPELLED_EMAIL.sub("[email]", text)
    text = redact._CARD.sub(redact._card, text)
    text = redact._PHONE.sub(redact._phone, text)
    return redact._BARE_PHONE.sub("[phone]", text)


# Pieces of the spelled-out e-mail and unseparated phone forms, so that random strings
# hit the new patterns as often as the single characters hit the old ones.
TOKENS = (*"05 .-+@_ab[]({<", " at ", "[at]", "(AT)", "{at}", " dot ", "[dot]",
          "(dot)", " com", "uk", "jane", "example", "4155550132", "+49", "00", "0", "1", "=",
          "#", "/", "7", "9876543")


def test_the_shortcuts_change_no_result() -> None:
    """`mask` skips a pattern that cannot match (no "@" or spelled "at"; no digit,
    separator, digit and no seven digits): over the sample tickets, log lines and random
    strings it masks what all patterns would, and each pattern masks some of them."""
    samples = read_samples(ROOT / "config" / "samples" / "tickets.jsonl")
    texts = [m["body"] for s in samples for m in s["messages"]]
    texts += [s["subject"] for s in samples] + [s["requester"]["email"] for s in samples]
    texts += ["webhook zendesk ticket=1234 event=ev-5678-abc job=handoff-zendesk-3f9a8b7c "
              "duplicate=False", "decided path=escalate confidence=0.42",
              "job in 0:00:00.031234s", "reach me at +44 20 7946 0958 or a@b.co",
              "text +4915123456789 or jane.doe[at]example.com", "4155550132",
              "jane at example dot com"]
    rng = random.Random(7)
    alphabet = "0123456789 .-+()@ab_"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
              for _ in range(5000)]
    texts += ["".join(rng.choice(TOKENS) for _ in range(rng.randint(3, 24)))
              for _ in range(5000)]
    assert len(texts) > 10000
    for pattern in (redact._EMAIL, redact._SPELLED_EMAIL, redact._CARD, redact._PHONE,
                    redact._BARE_PHONE):
        hit = sum(1 for t in texts if pattern.search(t))
        assert hit > 100, pattern.pattern  # the corpus does exercise every pattern
    for text in texts:
        assert mask(text) == _every_pattern(text), text
