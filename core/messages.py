"""What the customer is told, in their language: the escalation message per reason, when
to expect a reply, the offer of a person, the way to a person under every AI answer,
and the keep-warm update.

The text comes from the shipped templates (`core.phrasebook`, ``core/lang/<code>.yaml``)
with the settings' ``language.templates`` on top. A message is written in one language
only: the customer's when it has every part the message needs, else the configured
``language.fallback``, else English (whose templates are complete). Outside business
hours (``routing.business_hours``) the message says so honestly instead of promising a
quick reply. Nothing here raises for settings that passed validation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core import phrasebook
from core.hours import describe, is_open
from core.language_settings import KEYS, LanguageSettings
from core.models import Reason
from core.passages import greets, paragraphs, signs_off
from core.policy import family, for_primary
from core.settings import BusinessHours


def table(language: str, settings: LanguageSettings) -> dict[str, str]:
    """`language`'s own templates: the shipped ones, then the settings' overrides."""
    return {**phrasebook.templates().get(language, {}), **settings.templates.get(language, {})}


def speaking(language: str, needed: Sequence[str], settings: LanguageSettings) -> str:
    """The language a message needing the keys `needed` is written in: `language` when
    it has them all, else the fallback, else English."""
    for code in (language, settings.fallback):
        own = table(code, settings)
        if all(k in own for k in needed):
            return code
    return "en"


def missing(settings: LanguageSettings) -> dict[str, tuple[str, ...]]:
    """For each configured language, the template keys it lacks (they fall back)."""
    return {code: tuple(k for k in KEYS if k not in table(code, settings))
            for code in settings.languages}


def completeness(settings: LanguageSettings) -> list[str]:
    """One line per configured language for ``handoff check-config``: complete, or which
    templates it lacks and the language they fall back to."""
    lines = []
    for code, lacking in missing(settings).items():
        if not lacking:
            lines.append(f"# language {code}: complete")
            continue
        to = settings.fallback if code != settings.fallback else "en"
        if len(lacking) == len(KEYS):
            lines.append(f"# language {code}: no templates, every message falls back to {to}")
            continue
        lines.append(f"# language {code}: {len(lacking)} of {len(KEYS)} templates missing, "
                     f"falling back to {to}: {', '.join(lacking)}")
    return lines


def customer_message(
    reasons: Sequence[Reason], language: str = "en", after_hours: str | None = None,
    settings: LanguageSettings | None = None,
) -> str:
    """The escalation message for the primary reason, then when to expect a reply: soon,
    or honestly after `after_hours` (the opening hours, when closed)."""
    settings = settings or LanguageSettings()
    tail = "off_hours" if after_hours else "on_it"
    code = speaking(language, ("default", tail), settings)
    own = table(code, settings)
    body = for_primary(own, reasons, own["default"])
    end = own[tail].format(hours=after_hours) if after_hours else own[tail]
    return f"{body} {end}"


def line(key: str, language: str, settings: LanguageSettings | None = None) -> str:
    """One template (``offer``, ``declined``...) in `language`, else the fallback."""
    settings = settings or LanguageSettings()
    return table(speaking(language, (key,), settings), settings)[key]


def reach_person(language: str, settings: LanguageSettings | None = None) -> str:
    """The line ending an AI answer that says how to reach a person, naming the word to
    reply (``reach_person`` with ``person_word``), in `language` else the fallback;
    empty when the operator set ``reach_person`` to nothing."""
    settings = settings or LanguageSettings()
    own = table(speaking(language, ("reach_person", "person_word"), settings), settings)
    return own["reach_person"].format(word=own["person_word"]).strip()


def framed(reply: str, name: str | None, language: str,
           settings: LanguageSettings | None = None, link: str | None = None) -> str:
    """`reply` with the configured greeting (``greeting`` with ``{name}``, the first
    name, or ``greeting_no_name``) and ``sign_off`` in `language`, each only where the
    reply has none of its own (an article's "Hi {{requester.first_name}},"); an empty
    template adds nothing. A `link` (Markdown) to the whole article goes above the
    sign-off with ``full_article``."""
    settings = settings or LanguageSettings()
    keys = ("greeting", "greeting_no_name", "sign_off", "full_article")
    own = table(speaking(language, keys, settings), settings)
    parts = paragraphs(reply)
    first = (name or "").split()[0] if (name or "").strip() else ""
    hello = own["greeting"].format(name=first) if first else own["greeting_no_name"]
    head = "" if parts and greets(parts[0]) else hello.strip()
    body, tail = parts, own["sign_off"].strip()
    if len(parts) > 1 and signs_off(parts[-1]):
        body, tail = parts[:-1], parts[-1]
    more = own["full_article"].format(link=link).strip() if link else ""
    return "\n\n".join(p for p in (head, *body, more, tail) if p)


def keep_warm(
    reason: str, teams: dict[str, str], when: str | None, language: str,
    settings: LanguageSettings | None = None,
) -> str:
    """The keep-warm update: who has the request and, only when `when` is given, by when
    they reply. The configured team names (`aftercare.keep_warm.teams`) are English, so
    other languages name the team with their own ``team`` template."""
    settings = settings or LanguageSettings()
    end = "keep_warm_by" if when else "keep_warm_soon"
    code = speaking(language, ("keep_warm", "team", end), settings)
    own = table(code, settings)
    team = own["team"]
    if code == "en":
        team = teams.get(reason) or teams.get(family(reason)) or team
    text = own["keep_warm"].format(team=team)
    return f"{text} {own[end].format(when=when) if when else own[end]}"


def closed(hours: BusinessHours | None, when: datetime | None) -> str | None:
    """The opening hours as text when `when` falls outside them, else None."""
    if hours is None or when is None or is_open(hours, when):
        return None
    return describe(hours)
