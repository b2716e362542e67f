"""``handoff export``: a helpdesk's tickets into canonical JSONL, resumable.

For each ticket the connector lists, the export reads the whole ticket
(`Helpdesk.get_ticket`) and what its history tells (`TicketExport.ticket_history`,
through the connector's ``export`` part),
and appends one canonical row (`core.simulation.row_from_ticket`) labelled by
`core.history.history_labels`. Each line is flushed as it is written.

Resuming: a checkpoint next to the output (``FILE.jsonl.checkpoint.json``)
holds the platform, ``--since`` and the cursor of the listing page in progress;
it is replaced atomically after each page, once the page's lines are on disk.
A rerun of the same command re-reads that page, skips the ids already in the
output (read back from the file, which is the record of what was written), and
carries on: no duplicate, no ticket missed. A half-written last line left by a
crash is cut off first. A finished export keeps its checkpoint marked
``complete``, so a rerun says so and fetches nothing.

A cursor the helpdesk no longer accepts (4xx) makes the listing start over,
skipping what the file has. A helpdesk that rate-limits beyond what one call
may wait (`RateLimited`) is
waited out here and the page retried, up to `MAX_RATE_LIMITED` times in a row;
other failures stop the export with the checkpoint in place.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from connectors.base import ExportSource, TicketPage
from core.errors import ConfigError, HelpdeskError, PermanentError, RateLimited
from core.history import history_labels
from core.simulation import row_from_ticket

MAX_RATE_LIMITED = 20


class Progress(Protocol):
    """Where the export reports progress (the CLI's progress bar)."""

    def start(self, done: int, total: int | None) -> None:
        """`done` tickets are already in the file; `total` is the target when known."""

    def advance(self) -> None:
        """One more ticket was written."""


class _Silent:
    def start(self, done: int, total: int | None) -> None:
        return None

    def advance(self) -> None:
        return None


@dataclass
class Checkpoint:
    """Where an unfinished export resumes; `cursor` None is the listing's start."""

    platform: str
    since: str
    cursor: str | None = None
    complete: bool = False

    def save(self, path: Path) -> None:
        """Replace `path` atomically; raises OSError."""
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        """Read a checkpoint; ConfigError naming the file when it is unreadable."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(platform=str(data["platform"]), since=str(data["since"]),
                       cursor=data.get("cursor"), complete=bool(data.get("complete")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: not a usable export checkpoint ({exc}); delete it "
                              "and the output to start over") from exc


@dataclass
class Result:
    """What one run did: `written` this run, `total` lines in the file, `gone` tickets
    listed but deleted before they could be read, `dropped_partial` whether a
    half-written line was cut off, `complete` whether the listing was exhausted."""

    written: int
    total: int
    gone: int
    complete: bool
    dropped_partial: bool = False


def checkpoint_path(out: Path) -> Path:
    """The checkpoint file of output `out`."""
    return out.with_name(out.name + ".checkpoint.json")


def parse_since(value: str) -> datetime:
    """``YYYY-MM-DD`` or an ISO 8601 time (UTC unless it says); ValueError otherwise."""
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def recover(out: Path) -> tuple[set[str], bool]:
    """The ids already in `out`, and whether a half-written last line was cut off.

    Raises ConfigError naming the line when a complete line is not a row with an id
    (the file is not an export's, or was edited): nothing is guessed away.
    """
    if not out.exists():
        return set(), False
    with open(out, "rb+") as handle:
        data = handle.read()
        cut = not data.endswith(b"\n") and bool(data)
        if cut:
            keep = data.rfind(b"\n") + 1
            handle.truncate(keep)
            data = data[:keep]
    ids: set[str] = set()
    for number, line in enumerate(data.splitlines(), 1):
        try:
            ids.add(str(json.loads(line)["id"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{out}:{number}: not an exported ticket row; the file is not "
                              "this export's output") from exc
    return ids, cut


def _start(
    connector: ExportSource, since: datetime, out: Path
) -> tuple[Checkpoint, set[str], bool]:
    marker = checkpoint_path(out)
    stamp = since.isoformat()
    if marker.exists():
        checkpoint = Checkpoint.load(marker)
        if (checkpoint.platform, checkpoint.since) != (connector.name, stamp):
            raise ConfigError(
                f"{marker} belongs to an export of {checkpoint.platform} since "
                f"{checkpoint.since}, not {connector.name} since {stamp}; use another --out")
        ids, cut = recover(out)
        return checkpoint, ids, cut
    if out.exists() and out.stat().st_size:
        raise ConfigError(f"{out} exists and has no checkpoint: it is not an unfinished "
                          "export; remove it or choose another --out")
    checkpoint = Checkpoint(connector.name, stamp)
    out.touch()
    checkpoint.save(marker)
    return checkpoint, set(), False


def export(
    connector: ExportSource,
    since: datetime,
    out: Path,
    *,
    limit: int | None = None,
    page_size: int = 100,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Result:
    """Export tickets updated since `since` into `out`, resuming an unfinished run.

    Stops early, checkpoint kept, once `out` holds `limit` tickets. Raises
    ConfigError when `out` or its checkpoint belong to another export,
    TransientError or PermanentError when the helpdesk fails (the checkpoint
    stays, so rerunning resumes), and OSError when a file cannot be written.
    """
    sink = progress or _Silent()
    checkpoint, ids, cut = _start(connector, since, out)
    result = Result(written=0, total=len(ids), gone=0, complete=checkpoint.complete,
                    dropped_partial=cut)
    if checkpoint.complete or (limit is not None and len(ids) >= limit):
        sink.start(len(ids), len(ids))
        return result
    sink.start(len(ids), _target(connector, since, limit))
    marker, waits, mark = checkpoint_path(out), 0, -1
    with open(out, "a", encoding="utf-8") as handle:
        while True:
            try:
                _pages(connector, since, checkpoint, ids, handle, marker, result, limit,
                       page_size, sink)
                return result
            except RateLimited as exc:
                # Only waits without a ticket written in between count towards the cap.
                waits, mark = (waits + 1 if result.total == mark else 1), result.total
                if waits > MAX_RATE_LIMITED:
                    raise
                sleep(exc.retry_after if exc.retry_after is not None else 1.0)


def _target(connector: ExportSource, since: datetime, limit: int | None) -> int | None:
    """How many tickets the file will hold when done, for the ETA; None when unknown."""
    try:
        count = connector.export.count_tickets(since)
    except HelpdeskError:
        count = None  # only the ETA is lost
    if count is None:
        return limit
    return count if limit is None else min(count, limit)


def _pages(
    connector: ExportSource, since: datetime, checkpoint: Checkpoint, ids: set[str],
    handle: _Writer, marker: Path, result: Result, limit: int | None, page_size: int,
    sink: Progress,
) -> None:
    """Write the pages from the checkpoint on, until the last page or `limit`."""
    for page in _listing(connector, since, checkpoint, page_size):
        for ticket_id in page.ids:
            if ticket_id in ids:
                continue
            if limit is not None and len(ids) >= limit:
                return
            try:
                ticket = connector.get_ticket(ticket_id)
                history = connector.export.ticket_history(ticket_id)
            except PermanentError as exc:
                if exc.status != 404:
                    raise
                result.gone += 1  # deleted since it was listed
                continue
            row = row_from_ticket(ticket, history_labels(ticket, history))
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()
            ids.add(ticket_id)
            result.written += 1
            result.total += 1
            sink.advance()
        # The page's lines reach the disk before the checkpoint moves past them.
        os.fsync(handle.fileno())
        checkpoint.cursor = page.next_cursor
        checkpoint.complete = result.complete = page.next_cursor is None
        checkpoint.save(marker)


def _listing(
    connector: ExportSource, since: datetime, checkpoint: Checkpoint, page_size: int
) -> Iterator[TicketPage]:
    """The listing from the checkpoint's cursor; from the start when the helpdesk
    refuses that cursor (4xx: cursors expire, Gorgias' within minutes)."""
    pages = connector.export.list_tickets(since, checkpoint.cursor, page_size)
    try:
        first = next(pages, None)
    except PermanentError as exc:
        if checkpoint.cursor is None or exc.status is None or not 400 <= exc.status < 500:
            raise
        # Starting over costs listing calls only: the ids in the file are skipped.
        checkpoint.cursor = None
        pages = connector.export.list_tickets(since, None, page_size)
        first = next(pages, None)
    if first is not None:
        yield first
        yield from pages


class _Writer(Protocol):
    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...

    def fileno(self) -> int: ...
