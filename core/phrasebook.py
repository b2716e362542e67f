"""The shipped language data: one file per language in ``core/lang/<code>.yaml``.

Each file may hold ``templates`` (what Handoff says to customers, keys in
`core.language_settings.KEYS`) and ``triggers`` (the phrases it listens for, see
`Triggers`). The files are part of the package and are read once, like a model's
weights; operators change or extend them through the settings file
(``language.templates``, ``triggers.*``), never by editing the package.
A malformed shipped file is a packaging bug: reading it raises ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from core.language_settings import KEYS


@dataclass(frozen=True)
class Triggers:
    """One language's trigger phrases: regular expressions, case-insensitive, per line.

    - `human_request`: asking for a person, directly or not ("anyone real there?").
    - `high_risk`: per topic (the keys of `core.lexicon.HIGH_RISK`).
    - `negation`: cues that negate a request when they come just before it, in the same
      clause ("I don't need a human"); `negation_after`: cues that negate it right after
      (Japanese "担当者は不要です", Turkish "temsilci istemiyorum"), matched at the end of
      the request; `negation_clause`: cues that negate it from anywhere earlier in the
      clause ("no hace falta que me pases con un agente"); `negation_contrast`: cues of a
      preference that negate a request following them within two words, in the same
      clause ("I'd sort it out here rather than talk to a person").
    - `question`: words that turn a negated phrase into a question ("why can't I...").
    - `clause_break`: words that end a clause ("but").
    - `yes` / `no`: how a customer accepts or declines the offer of a person.
    - `person`, `contact`, `want`, `want_after`: words for a person (agent, colleague...),
      for reaching one (speak, connect, hand over, call back...) and for asking (need,
      want, rather; `want_after` where the language puts it after the person, Turkish
      "istiyorum", Japanese "ほしい"). A `contact` word near a `person` word in one
      clause, a `want` word a few words before one or a `want_after` word after one is a
      request (`composed`); a negation cue between them negates it.
    - `bot`, `reject`, `reject_after`: words for the machine (bot, chatbot, machine...)
      and for turning it away (stop, enough, not...; `reject_after` where it follows,
      "ボットはもういい", "Makineyle değil"): such a pair in one clause is a request
      (`rejections`). A negation cue inside such a match is the rejection itself, so it
      does not negate it.

    Entries that start with a letter are matched from a word start; entries in a script
    without spaces between words (Japanese) anywhere.
    """

    human_request: tuple[str, ...] = ()
    high_risk: dict[str, tuple[str, ...]] = field(default_factory=dict)
    negation: tuple[str, ...] = ()
    negation_after: tuple[str, ...] = ()
    negation_clause: tuple[str, ...] = ()
    negation_contrast: tuple[str, ...] = ()
    question: tuple[str, ...] = ()
    clause_break: tuple[str, ...] = ()
    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    contact: tuple[str, ...] = ()
    want: tuple[str, ...] = ()
    want_after: tuple[str, ...] = ()
    bot: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()
    reject_after: tuple[str, ...] = ()

    def composed(self) -> tuple[str, ...]:
        """The request patterns built from `person`, `contact`, `want` and `want_after`."""
        if not self.person:
            return ()
        who = _alternatives(self.person)
        out: list[str] = []
        if self.contact:
            reach = _alternatives(self.contact)
            out += [f"{reach}{CLAUSE_GAP}{who}", f"{who}{CLAUSE_GAP}{reach}"]
        if self.want:
            out.append(rf"{_alternatives(self.want)}\s+(?:\S+\s+){{0,{WANT_REACH}}}?{who}")
        if self.want_after:
            out.append(f"{who}{CLAUSE_GAP}{_alternatives(self.want_after)}")
        return tuple(out)

    def rejections(self) -> tuple[str, ...]:
        """The bot-rejection patterns built from `bot`, `reject` and `reject_after`."""
        if not self.bot:
            return ()
        bot = _alternatives(self.bot, whole=True)
        out: list[str] = []
        if self.reject:
            out.append(f"{_alternatives(self.reject)}{CLAUSE_GAP}{bot}")
        if self.reject_after:
            out.append(f"{bot}{CLAUSE_GAP}{_alternatives(self.reject_after)}")
        return tuple(out)


def _alternatives(entries: tuple[str, ...], whole: bool = False) -> str:
    """`entries` as one group; each from a word start (and to a word end if `whole`)
    unless it is in a script written without spaces (CJK, kana), where words run
    together."""
    return "(?:" + "|".join(
        e if not _spaced(e) else rf"\b{e}\b" if whole else rf"\b{e}" for e in entries) + ")"


def _spaced(entry: str) -> bool:
    """Whether `entry`'s first letter is in a script that puts spaces between words."""
    return next((c for c in entry if c.isalpha()), "a") < "\u2e80"


# The reach of a composed request: within one clause (Japanese punctuation included).
CLAUSE_GAP = "[^.!?,;:\n\u3001\u3002\uff01\uff1f]{0,35}?"
# How many words may sit between a `want` word and the person ("I want to reach a person").
WANT_REACH = 4


@cache
def _files() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for entry in sorted(resources.files("core").joinpath("lang").iterdir(), key=str):
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ValueError(f"core/lang/{entry.name}: not a mapping")
            out[entry.name.removesuffix(".yaml")] = data
    return out


def parse(data: Any, source: str) -> tuple[dict[str, str], Triggers]:
    """One language file's templates and triggers; ValueError naming `source` and the key
    for anything else than the documented shape."""
    if not isinstance(data, dict) or set(data) - {"templates", "triggers"}:
        raise ValueError(f"{source}: a mapping with 'templates' and/or 'triggers'")
    table = data.get("templates") or {}
    raw = data.get("triggers") or {}
    if not isinstance(table, dict) or not isinstance(raw, dict):
        raise ValueError(f"{source}: 'templates' and 'triggers' must be mappings")
    unknown = sorted(set(map(str, table)) - set(KEYS))
    lists = set(Triggers.__dataclass_fields__) - {"high_risk"}
    unknown += sorted(f"triggers.{k}" for k in set(map(str, raw)) - lists - {"high_risk"})
    if unknown:
        raise ValueError(f"{source}: unknown key(s) {', '.join(unknown)}")
    try:
        found = {k: tuple(str(p) for p in v) for k, v in raw.items() if k != "high_risk"}
        topics = {str(t): tuple(str(p) for p in v)
                  for t, v in (raw.get("high_risk") or {}).items()}
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"{source}: every trigger must be a list of patterns") from exc
    return ({str(k): " ".join(str(v).split()) for k, v in table.items()},
            Triggers(**found, high_risk=topics))


@cache
def _parsed() -> dict[str, tuple[dict[str, str], Triggers]]:
    return {code: parse(data, f"core/lang/{code}.yaml") for code, data in _files().items()}


def templates() -> dict[str, dict[str, str]]:
    """Shipped customer-facing text: ``{language: {key: text}}``."""
    return {code: table for code, (table, _) in _parsed().items()}


def triggers() -> dict[str, Triggers]:
    """Shipped trigger phrases by language, in file-name order."""
    return {code: found for code, (_, found) in _parsed().items()}


def all_triggers(name: str) -> tuple[str, ...]:
    """Every shipped language's list `name` (a `Triggers` field), language by language;
    ``human_request`` includes each language's `Triggers.composed` and
    `Triggers.rejections` patterns."""
    if name == "human_request":
        return tuple(p for t in triggers().values()
                     for p in (*t.human_request, *t.composed(), *t.rejections()))
    return tuple(p for t in triggers().values() for p in getattr(t, name))


def composed() -> frozenset[str]:
    """Every shipped composed pattern: a negation cue inside its match negates it."""
    return frozenset(p for t in triggers().values() for p in t.composed())


def all_high_risk() -> dict[str, tuple[str, ...]]:
    """Every shipped language's high-risk phrases, merged per topic."""
    merged: dict[str, tuple[str, ...]] = {}
    for found in triggers().values():
        for topic, patterns in found.high_risk.items():
            merged[topic] = (*merged.get(topic, ()), *patterns)
    return merged
