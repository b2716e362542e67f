"""Logging set-up: plain text for people, JSON lines for log pipelines.

Every record carries the fields bound with `bind` for the current job (ticket
id, platform, decision id, job id), and its message has personal data masked
(`core.redact.mask`), whichever format is chosen.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from core.redact import mask

_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("handoff_log_context")
FORMATS = ("text", "json")


@contextmanager
def bind(**fields: str | None) -> Iterator[None]:
    """Add `fields` to every log record written inside the block."""
    token = _context.set({**_context.get({}), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


class _MaskAndBind(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        record.context = _context.get({})
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, bound fields, error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "context", {}),
        }
        if record.exc_info:
            entry["error"] = mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger: message key=value ...``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        context = getattr(record, "context", {})
        suffix = "".join(f" {k}={v}" for k, v in context.items())
        return super().format(record) + suffix


def configure(log_format: str | None = None, verbose: bool = False) -> None:
    """Install the handler on the root logger; format from the argument or HANDOFF_LOG_FORMAT.

    An unknown format name falls back to text: logging must never stop start-up.
    """
    chosen = (log_format or os.environ.get("HANDOFF_LOG_FORMAT") or "text").lower()
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    handler.addFilter(_MaskAndBind())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # One line per helpdesk call drowns the output people read; -v brings it back.
    logging.getLogger("httpx").setLevel(logging.DEBUG if verbose else logging.WARNING)
    # Alembic announces every migration step; a one-shot command's reader wants its output.
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)
