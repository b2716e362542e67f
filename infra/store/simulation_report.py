"""The last ``handoff simulate`` report, kept under ``$HANDOFF_HOME`` for the admin page."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.redis_conn import handoff_home

FILE = "simulation-report.json"


def save(report: Mapping[str, Any], env: Mapping[str, str] = os.environ) -> Path:
    """Write `report` as JSON; raise OSError when the state directory is not writable."""
    path = handoff_home(env) / FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dict(report), default=str, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


def load(env: Mapping[str, str] = os.environ) -> dict[str, Any] | None:
    """The last saved report, or None when there is none or it cannot be read."""
    try:
        data = json.loads((handoff_home(env) / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
