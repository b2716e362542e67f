"""Read the settings file and the knowledge base from disk.

`core` stays pure: it validates text handed to it. This module does the reading.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from core.errors import ConfigError
from core.extra_phrases import with_phrases
from core.knowledge import KnowledgeDoc, parse_articles
from core.settings import Settings, parse_settings

# The demo's settings, knowledge, samples and examples, shipped in the wheel (a link to the
# checkout's config/ directory, whose files setuptools copies in as package data).
BUNDLED = Path(__file__).resolve().parent / "bundled"
# Looked for in the working directory, in this order, when neither --config nor
# $HANDOFF_CONFIG names a file: `handoff init`'s file, then a checkout's.
LOCAL_CONFIGS = (Path("handoff.yaml"), Path("config/handoff.yaml"))


def config_path(path: str | Path | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """The file to read: `path`, else ``$HANDOFF_CONFIG``, else ``handoff.yaml`` or
    ``config/handoff.yaml`` in the working directory, else the built-in defaults."""
    named = path or env.get("HANDOFF_CONFIG")
    if named:
        return Path(named)
    return next((p for p in LOCAL_CONFIGS if p.is_file()), BUNDLED / "handoff.yaml")


def load_settings(path: str | Path | None = None, env: Mapping[str, str] = os.environ) -> Settings:
    """Read and validate the settings; raise ConfigError naming the key and value."""
    file = config_path(path, env)
    settings = parse_settings(_read_text(file, "the settings file"), str(file), env,
                              file.resolve().parent)
    folder = settings.language.phrases_dir
    if folder is None:
        return settings
    folder = folder if folder.is_absolute() else file.resolve().parent / folder
    if not folder.is_dir():
        raise ConfigError(f"language.phrases_dir = {str(folder)!r}: not a directory")
    return with_phrases(settings, {p.stem: (str(p), _read_text(p, "the language file"))
                                   for p in sorted(folder.glob("*.yaml"))})


def load_knowledge(directory: Path) -> tuple[KnowledgeDoc, ...]:
    """Every ``*.md`` article in `directory`, sorted by file name.

    Raises ConfigError for a missing or empty directory, an unreadable or
    non-UTF-8 file (named), a bad article or a duplicate id.
    """
    if not directory.is_dir():
        raise ConfigError(f"knowledge_dir = {str(directory)!r}: not a directory")
    files = sorted(directory.glob("*.md"))
    if not files:
        raise ConfigError(f"knowledge_dir = {str(directory)!r}: no *.md articles found")
    return parse_articles((str(p), _read_text(p, "the knowledge article")) for p in files)


def _read_text(file: Path, what: str) -> str:
    """The text of `file`; ConfigError naming it when it cannot be read or is not UTF-8."""
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read {what}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{file}: {what} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start}, line {line}); save it as UTF-8") from exc
