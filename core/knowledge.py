"""Help-center articles: Markdown with YAML front matter.

    ---
    id: track_order
    title: Track your order
    category: ORDERS
    examples: ["Where is my order?", "How do I track my parcel?"]
    ---
    Hi {{requester.first_name}}, ...

The front matter holds the keys `id`, `title`, `category` and `examples` (past
customer questions the article answered), and optionally `locale` (``fr``, ``pt-BR``:
the language the article is written in; an article without one is taken to be in
``language.default``); the body is the answer. Callers
read the files and pass the text in; nothing here touches the filesystem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from core.errors import ConfigError

_KEYS = ("id", "title", "category", "examples")
_OPTIONAL = ("locale", "url")
_LOCALE = re.compile(r"^[A-Za-z]{2}(?:[-_][A-Za-z0-9]{2,8})*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?(.*)\Z", re.S | re.M)


class KnowledgeDoc(BaseModel):
    """One article: what it answers (`title`, `examples`) and the answer (`body`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    category: str
    examples: tuple[str, ...]
    body: str
    locale: str | None = None
    # Where customers read the whole article (http or https), linked under an excerpt.
    url: str | None = None


def parse_article(text: str, source: str) -> KnowledgeDoc:
    """Parse one article; `source` (usually the file path) only labels errors.

    Raises ConfigError naming `source` and the offending key when the front
    matter is missing or not YAML, a key is missing, unknown or of the wrong
    type, or the body is empty.
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ConfigError(f"{source}: no front matter; the file must start with a '---' block")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise ConfigError(f"{source}: front matter must be a mapping of {', '.join(_KEYS)}")
    unknown = sorted(str(k) for k in meta if k not in (*_KEYS, *_OPTIONAL))
    if unknown:
        raise ConfigError(
            f"{source}: unknown front-matter key(s) {', '.join(unknown)}; "
            f"allowed: {', '.join((*_KEYS, *_OPTIONAL))}"
        )
    for key in _KEYS:
        if key not in meta:
            raise ConfigError(f"{source}: missing front-matter key '{key}'")
    body = match.group(2).strip()
    if not body:
        raise ConfigError(f"{source}: the article body (the answer) is empty")
    return KnowledgeDoc(
        id=_identifier(meta["id"], source),
        title=_text(meta, "title", source),
        category=_text(meta, "category", source),
        examples=_examples(meta["examples"], source),
        body=body,
        locale=_locale(meta.get("locale"), source),
        url=_url(meta.get("url"), source),
    )


def parse_articles(texts: Iterable[tuple[str, str]]) -> tuple[KnowledgeDoc, ...]:
    """Parse ``(source, text)`` pairs, in order.

    Raises ConfigError as `parse_article` does, and when two articles share an id.
    """
    docs: dict[str, tuple[str, KnowledgeDoc]] = {}
    for source, text in texts:
        doc = parse_article(text, source)
        if doc.id in docs:
            raise ConfigError(f"{source}: id '{doc.id}' is already used by {docs[doc.id][0]}")
        docs[doc.id] = (source, doc)
    return tuple(doc for _, doc in docs.values())


def _text(meta: dict[Any, Any], key: str, source: str) -> str:
    value = meta[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{source}: front-matter key '{key}' must be a non-empty string")
    return value.strip()


def _locale(value: Any, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _LOCALE.match(value.strip()):
        raise ConfigError(f"{source}: front-matter key 'locale' must be a language code such "
                          f"as fr or pt-BR, got {value!r}")
    return value.strip()


def _url(value: Any, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(r"(?i)^https?://\S+$", value.strip()):
        raise ConfigError(f"{source}: front-matter key 'url' must be an http(s) address, "
                          f"got {value!r}")
    return value.strip()


def _identifier(value: Any, source: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ConfigError(
            f"{source}: front-matter key 'id' must be a string of letters, digits, '_', '-' "
            f"or '.', got {value!r}"
        )
    return value


def _examples(value: Any, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{source}: front-matter key 'examples' must be a non-empty list")
    if not all(isinstance(e, str) and e.strip() for e in value):
        raise ConfigError(f"{source}: front-matter key 'examples' must hold non-empty strings")
    return tuple(e.strip() for e in value)
