"""The look shared by the admin page and the HTML reports: one stylesheet, one base
template, and the filters both use.

The admin page (`receiver.admin`) loads these templates through Flask; the reports
(`worker.cli.render`) through `environment`. Every page inlines the stylesheet, so a
report stays one self-contained file. Rendering raises jinja2's errors.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from core.labels import reason_label

TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLESHEET = (TEMPLATES / "handoff.css").read_text(encoding="utf-8")


def readable_time(value: datetime | str | None) -> str:
    """``2026-12-07 14:03 UTC``; a string is read as ISO 8601; None as an empty string."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def percent(value: float | None, digits: int = 1) -> str:
    """`0.123` as ``12.3%``; None as ``-`` (no data)."""
    return "-" if value is None else f"{value:.{digits}%}"


def png(data: bytes) -> str:
    """A ``data:`` URI for PNG bytes, so a chart travels inside the page."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def environment() -> jinja2.Environment:
    """The Jinja environment for the reports, with the admin page's filters and globals."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals.update(stylesheet=STYLESHEET, reason_label=reason_label, when=readable_time,
                       percent=percent)
    return env


def render(template: str, **context: Any) -> str:
    """`template` (a file under `TEMPLATES`) rendered with `context`."""
    return environment().get_template(template).render(**context)
