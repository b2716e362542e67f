"""What `handoff learn` keeps: ``learned.json`` beside the index.

The file is tied to the knowledge base's version (the digest of the articles
and the model, `core.retrieval.index_key` of the base articles): a worker,
`simulate`, `calibrate` or `policy test` started on the same knowledge base
uses it with no flag, and ignores it (with a warning) once the articles change.

    {"format": 2, "knowledge": "<index key>",
     "tickets": {"<ticket id>": {"article": "<id>" | null, "questions": [...],
                                 "candidate": "<best guess when abstained>", "reason": ...}},
     "seen": {"<slot>": "<base64 of sorted 8-byte ticket-id digests>"},
     "calibration": {...} | null, "accuracy": {"<article id>": [right, total]}}

Questions are kept (`tickets`) for the first `core.learning.MAX_KEPT` tickets per
article, and per best guess of the abstentions. Every ticket seen, kept or not, is
remembered in `seen` by an 8-byte digest of its id under its slot ("=article" when
matched, "?guess" when abstained), so a re-run with the same history changes nothing,
a longer history only adds its new tickets, and memory and file grow by about 8 bytes
per ticket past the caps. Two ids share a digest with odds of about 1 in 10^9 at a
million tickets; the later one would be taken as already learned.
Format 1 files (every ticket as an entry) are read and written back as format 2.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.calibration import Calibration
from core.crossfit import Learned
from core.errors import ConfigError

log = logging.getLogger("worker.learned")

LEARNED_FILE = "learned.json"
FORMAT = 2
_DIGEST = 8


def digest(ticket_id: str) -> int:
    """The 8-byte digest a ticket id is remembered by."""
    return int.from_bytes(hashlib.blake2b(ticket_id.encode(), digest_size=_DIGEST).digest(),
                          "big")


def slot(entry: dict[str, Any]) -> str:
    """What a ticket counts against: "=article" when matched, "?guess" when abstained."""
    article = entry.get("article")
    return f"={article}" if article else f"?{entry.get('candidate') or ''}"


@dataclass
class LearnedIndex:
    """The tickets learned so far for one knowledge-base version: the kept ones in
    `tickets`, every one (kept or not) in `seen` (digest -> slot)."""

    knowledge: str
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: dict[int, str] = field(default_factory=dict)
    calibration: Calibration | None = None
    accuracy: dict[str, list[int]] = field(default_factory=dict)

    def knows(self, ticket_id: str) -> bool:
        return digest(ticket_id) in self.seen

    def slot_of(self, ticket_id: str) -> str | None:
        """The slot `ticket_id` was learned under, or None when it was never seen."""
        return self.seen.get(digest(ticket_id))

    def add(self, ticket_id: str, entry: dict[str, Any], kept: bool) -> None:
        """Remember `ticket_id` under `entry`'s slot, and keep `entry` when `kept`."""
        self.seen[digest(ticket_id)] = slot(entry)
        if kept:
            self.tickets[ticket_id] = entry

    def tally(self) -> Counter[str]:
        """How many tickets were learned under each slot."""
        return Counter(self.seen.values())

    def learned(self) -> list[Learned]:
        """The matched tickets, ordered by ticket id (so the index is the same every run)."""
        return [Learned(tid, t["article"], tuple(t["questions"]))
                for tid, t in sorted(self.tickets.items()) if t.get("article")
                and t.get("questions")]

    def history(self) -> list[tuple[str, str]]:
        """Every kept past question and the article it was matched to ("" when abstained)."""
        return [(q, t.get("article") or "") for _, t in sorted(self.tickets.items())
                for q in t.get("questions", ())]

    def to_json(self) -> str:
        by_slot: dict[str, list[int]] = {}
        for number, name in self.seen.items():
            by_slot.setdefault(name, []).append(number)
        seen = {name: base64.b64encode(b"".join(
            n.to_bytes(_DIGEST, "big") for n in sorted(numbers))).decode("ascii")
            for name, numbers in by_slot.items()}
        data = {"format": FORMAT, "knowledge": self.knowledge, "tickets": self.tickets,
                "seen": seen,
                "calibration": self.calibration.model_dump(mode="json")
                if self.calibration else None,
                "accuracy": self.accuracy}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def _from_json(data: dict[str, Any]) -> LearnedIndex:
    """A LearnedIndex from a parsed file of either format; ValueError, KeyError or
    TypeError when it is not one."""
    if data.get("format") not in (1, FORMAT):
        raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
    calibration = data.get("calibration")
    index = LearnedIndex(
        knowledge=str(data["knowledge"]),
        calibration=Calibration.model_validate(calibration) if calibration else None,
        accuracy={k: list(v) for k, v in data.get("accuracy", {}).items()})
    for ticket_id, entry in dict(data["tickets"]).items():
        index.add(ticket_id, entry, kept=bool(entry.get("questions")))
    for name, packed in dict(data.get("seen", {})).items():
        raw = base64.b64decode(packed, validate=True)
        if len(raw) % _DIGEST:
            raise ValueError(f"seen[{name!r}]: not a list of {_DIGEST}-byte digests")
        for start in range(0, len(raw), _DIGEST):
            index.seen[int.from_bytes(raw[start:start + _DIGEST], "big")] = name
    return index


def read_learned(folder: Path) -> LearnedIndex | None:
    """The learned index in `folder`, or None when there is none.

    Raises ConfigError when the file exists but is not a learned index (it is
    never silently replaced: delete it to start over).
    """
    file = folder / LEARNED_FILE
    if not file.is_file():
        return None
    try:
        return _from_json(json.loads(file.read_text(encoding="utf-8")))
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
