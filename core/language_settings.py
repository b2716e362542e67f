"""The ``language:`` section: which languages Handoff speaks and how it picks one.

```yaml
language:
  languages: [en, es, fr, de, pt, it, nl, pl, sv, da, ja, tr]
  default: en          # when the language cannot be told (short or unclear messages)
  fallback: en         # the language of any customer text missing in the customer's
  trust_locale: true   # the helpdesk's ticket or requester locale wins when it is known
  templates:           # per language: replaces the shipped text for the keys given
    de: {human_request: "Gern, ich verbinde Sie mit unserem Team."}
```

Codes are ISO 639-1. An unknown code, a default or fallback outside `languages`,
or a template key that does not exist fails at start-up like every other setting.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter
from typing import Self

from pydantic import Field, field_validator, model_validator

from core.platform_settings import Section as _Section

SHIPPED = ("en", "es", "fr", "de", "pt", "it", "nl", "pl", "sv", "da", "ja", "tr")
"""Languages with shipped triggers and templates (``core/lang/<code>.yaml``)."""

_CODE = re.compile(r"^[a-z]{2}$")

KEYS = (
    "human_request", "high_risk", "high_risk:refund", "high_risk:billing",
    "high_risk:security", "high_risk:cancellation", "high_risk:account", "high_risk:complaint",
    "loop", "default", "on_it", "off_hours", "offer", "declined", "keep_warm", "keep_warm_by",
    "keep_warm_soon", "team", "reach_person", "person_word", "greeting", "greeting_no_name",
    "sign_off", "full_article",
)
"""Every customer-facing text, by key: the escalation message per reason (``default``
for any other reason), when to expect a reply (``on_it``, ``off_hours`` with
``{hours}``), the offer of a person and the answer to a decline, the keep-warm update
(``keep_warm`` with ``{team}``, then ``keep_warm_by`` with ``{when}`` or
``keep_warm_soon``), the word for the team, and the line ending every AI answer that
says how to reach a person (``reach_person`` with ``{word}``, the ``person_word`` a
customer replies, which the language's triggers hear as a human request; an empty
``reach_person`` leaves the line out); the greeting (``greeting`` with ``{name}``, or
``greeting_no_name``) and ``sign_off`` framing an answer that has none of its own,
and the line linking the whole article (``full_article`` with ``{link}``)."""


PLACEHOLDERS = {"off_hours": {"hours"}, "keep_warm": {"team"}, "keep_warm_by": {"when"},
                "reach_person": {"word"}, "greeting": {"name"},
                "full_article": {"link"}}
"""The ``{fields}`` a template may use; every other template uses none."""


def placeholders(text: str) -> set[str]:
    """The ``{fields}`` in `text`; ValueError for a stray brace."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def known_code(code: str) -> bool:
    """Whether `code` is an ISO 639-1 code the language detector knows."""
    from core.language import supported  # core.language imports this module

    return bool(_CODE.match(code)) and code in supported()


class LanguageSettings(_Section):
    languages: tuple[str, ...] = Field(default=SHIPPED, min_length=1)
    default: str = "en"
    fallback: str = "en"
    trust_locale: bool = True
    # Messages shorter than this (in words; two CJK characters count as one) are never
    # guessed at: the locale, else the default, applies.
    min_words: int = Field(default=3, ge=1)
    # How sure the detector must be (its probability) before its guess beats the default.
    min_confidence: float = Field(default=0.5, ge=0, le=1)
    # How many of the customer's newest messages the detector reads.
    recent_messages: int = Field(default=2, ge=1)
    # Answer from articles in `fallback` when none exists in the customer's language.
    knowledge_fallback: bool = False
    templates: dict[str, dict[str, str]] = Field(default_factory=dict)
    # A directory of <code>.yaml files shaped like core/lang/<code>.yaml whose phrases are
    # added to the shipped ones (`infra.config` reads it; relative to the settings file).
    phrases_dir: Path | None = None

    @field_validator("languages")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not known_code(code):
                raise ValueError(f"{code!r} is not an ISO 639-1 code the detector knows")
        return tuple(dict.fromkeys(value))

    @model_validator(mode="after")
    def _known(self) -> Self:
        for name in ("default", "fallback"):
            if getattr(self, name) not in self.languages:
                raise ValueError(f"{name} = {getattr(self, name)!r} must be one of "
                                 f"languages ({', '.join(self.languages)})")
        for code, table in self.templates.items():
            if code not in self.languages:
                raise ValueError(f"templates.{code}: {code!r} is not in languages")
            unknown = sorted(set(table) - set(KEYS))
            if unknown:
                raise ValueError(f"templates.{code}: unknown key(s) {', '.join(unknown)}; "
                                 f"keys: {', '.join(KEYS)}")
            for key, text in table.items():
                allowed = PLACEHOLDERS.get(key, set())
                try:
                    extra = placeholders(text) - allowed
                except ValueError as exc:
                    raise ValueError(f"templates.{code}.{key}: {exc} (write {{{{ and }}}} "
                                     "for a literal brace)") from exc
                if extra:
                    shown = ", ".join(f"{{{n}}}" for n in sorted(allowed)) or "none"
                    raise ValueError(f"templates.{code}.{key}: unknown placeholder(s) "
                                     f"{', '.join(sorted(extra))}; allowed: {shown}")
        return self
