"""What `handoff learn` keeps: ``learned.json`` beside the index.

The file is tied to the knowledge base's version (the digest of the articles
and the model, `core.retrieval.index_key` of the base articles): a worker,
`simulate`, `calibrate` or `policy test` started on the same knowledge base
uses it with no flag, and ignores it (with a warning) once the articles change.

    {"format": 1, "knowledge": "<index key>",
     "tickets": {"<ticket id>": {"article": "<id>" | null, "questions": [...],
                                 "candidate": "<best guess when abstained>", "reason": ...}},
     "calibration": {...} | null, "accuracy": {"<article id>": [right, total]}}

Every ticket seen is kept, matched or not, so a re-run with the same history
changes nothing and a longer history only adds the new tickets. Questions are kept
for the first `core.learning.MAX_KEPT` tickets per article (and per best guess of
the abstentions); later ones are counted only, so the index stays bounded.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.calibration import Calibration
from core.crossfit import Learned
from core.errors import ConfigError

log = logging.getLogger("worker.learned")

LEARNED_FILE = "learned.json"
FORMAT = 1


@dataclass
class LearnedIndex:
    """The tickets learned so far for one knowledge-base version."""

    knowledge: str
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    calibration: Calibration | None = None
    accuracy: dict[str, list[int]] = field(default_factory=dict)

    def learned(self) -> list[Learned]:
        """The matched tickets, ordered by ticket id (so the index is the same every run)."""
        return [Learned(tid, t["article"], tuple(t["questions"]))
                for tid, t in sorted(self.tickets.items()) if t.get("article")
                and t.get("questions")]

    def history(self) -> list[tuple[str, str]]:
        """Every past question and the article it was matched to ("" when abstained)."""
        return [(q, t.get("article") or "") for _, t in sorted(self.tickets.items())
                for q in t.get("questions", ())]

    def to_json(self) -> str:
        data = {"format": FORMAT, "knowledge": self.knowledge, "tickets": self.tickets,
                "calibration": self.calibration.model_dump(mode="json")
                if self.calibration else None,
                "accuracy": self.accuracy}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def read_learned(folder: Path) -> LearnedIndex | None:
    """The learned index in `folder`, or None when there is none.

    Raises ConfigError when the file exists but is not a learned index (it is
    never silently replaced: delete it to start over).
    """
    file = folder / LEARNED_FILE
    if not file.is_file():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        calibration = data.get("calibration")
        return LearnedIndex(
            knowledge=str(data["knowledge"]), tickets=dict(data["tickets"]),
            calibration=Calibration.model_validate(calibration) if calibration else None,
            accuracy={k: list(v) for k, v in data.get("accuracy", {}).items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{file}: not a learned index: {exc}") from exc


def applicable(folder: Path, knowledge: str) -> LearnedIndex | None:
    """The learned index in `folder` when it was learned for `knowledge`, else None
    (with a warning when one exists for another version of the articles)."""
    index = read_learned(folder)
    if index is None:
        return None
    if index.knowledge != knowledge:
        log.warning("%s was learned on another version of the knowledge base; "
                    "ignored until `handoff learn` runs again", folder / LEARNED_FILE)
        return None
    return index


def write_learned(folder: Path, index: LearnedIndex) -> Path:
    """Write `index` into `folder` atomically (aside, then renamed); raises OSError."""
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / LEARNED_FILE
    partial = file.with_name(f"{LEARNED_FILE}.{os.getpid()}.partial")
    partial.write_text(index.to_json(), encoding="utf-8")
    os.replace(partial, file)
    return file
