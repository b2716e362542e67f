"""An operator's own language files added to the shipped ones (``language.phrases_dir``).

Each file is shaped like ``core/lang/<code>.yaml`` and named for its language. Its
human-request phrases, high-risk phrases (per topic) and negation cues are added after
the settings' own; its templates fill the keys the settings file does not set. Pure:
`infra.config` reads the files and hands their text in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import ValidationError

from core.errors import ConfigError
from core.phrasebook import parse
from core.settings import Settings


def with_phrases(settings: Settings, files: Mapping[str, tuple[str, str]]) -> Settings:
    """`settings` extended by `files` (``{language: (source, text)}``).

    Raises ConfigError naming the file for YAML that does not parse, a shape that is
    not a language file's, a language outside ``language.languages``, or a pattern or
    template that fails validation.
    """
    triggers: dict[str, Any] = settings.triggers.model_dump()
    templates = {code: dict(table) for code, table in settings.language.templates.items()}
    for code, (source, text) in files.items():
        if code not in settings.language.languages:
            raise ConfigError(f"{source}: {code!r} is not one of language.languages")
        try:
            table, found = parse(yaml.safe_load(text), source)
        except (yaml.YAMLError, ValueError) as exc:
            raise ConfigError(f"{source}: not a language file: {exc}") from exc
        templates[code] = {**table, **templates.get(code, {})}
        for name in ("human_request", "negation", "negation_after"):
            triggers[name] = (*triggers[name], *getattr(found, name))
        for topic, patterns in found.high_risk.items():
            triggers["high_risk"][topic] = (*triggers["high_risk"].get(topic, ()), *patterns)
    try:
        return settings.model_copy(update={
            "triggers": type(settings.triggers).model_validate(triggers),
            "language": type(settings.language).model_validate(
                {**settings.language.model_dump(), "templates": templates}),
        })
    except ValidationError as exc:
        raise ConfigError(f"language.phrases_dir: {exc}") from exc
