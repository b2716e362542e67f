"""``handoff simulate --sweep``: stream canonical tickets through the engine once, then
evaluate every threshold pair with `core.thresholds` and hand the result to
`worker.cli.render.thresholds`.

Input is read line by line, so memory grows only with the small per-ticket `Outcome`,
never with the tickets themselves. A malformed line is reported with its number,
skipped and counted; it does not stop the run.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from pydantic import ValidationError

from core.engine import decide
from core.scorer import Scorer
from core.settings import Settings
from core.simulation import ticket_from_row
from core.thresholds import (
    Outcome,
    ThresholdSweep,
    capture_policy,
    grid,
    outcome,
    overrides,
    path_for,
    recommend,
)
from core.turns import decision_points
from infra.config import load_knowledge

EXAMPLES = 20
NO_CATEGORY = "(none)"


@dataclass
class Capture:
    """The capture pass: one `Outcome` per good ticket, and the lines that were skipped."""

    outcomes: list[Outcome] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0


def count_lines(path: str) -> int:
    """Non-blank lines in `path` (for the progress bar); raises OSError."""
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def read_rows(path: str, bad: list[tuple[int, str]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each JSON object line; other lines go to `bad`."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append((number, f"not JSON: {exc.msg} (column {exc.colno})"))
                continue
            if not isinstance(row, dict):
                bad.append((number, "not a JSON object"))
                continue
            yield number, row


def every_row(path: str) -> list[dict[str, Any]]:
    """Every JSON object line of `path`, for commands that need them all.

    Raises DataError naming the first line that is not one, OSError when the file
    cannot be read.
    """
    from worker.cli.base import DataError

    bad: list[tuple[int, str]] = []
    rows = [row for _, row in read_rows(path, bad)]
    if bad:
        raise DataError(f"{path}:{bad[0][0]}: {bad[0][1]}")
    return rows


def capture(path: str, settings: Settings, scorer: Scorer, out: TextIO | None = None,
            tick: Callable[[], None] = lambda: None, every_turn: bool = False,
            label: Callable[[dict[str, Any]], Any] | None = None) -> Capture:
    """Run the engine once per ticket of `path` under `capture_policy`, at the moments
    `core.turns.decision_points` picks (an exported ticket at its first customer turn);
    `label` may add to a row's labels (the agent's article, `worker.cli.learner.AgentYardstick`).

    With `out`, writes one JSON line per ticket (id, kind, confidence, category,
    reasons, signals). Raises OSError when `path` cannot be read.
    """
    runs = settings.model_copy(update={"policy": capture_policy(settings.policy)})
    categories = {d.id: d.category for d in load_knowledge(settings.knowledge_dir)}
    result = Capture()
    started = time.perf_counter()
    for number, row in read_rows(path, result.bad):
        tick()
        try:
            ticket = ticket_from_row(row)
        except (KeyError, TypeError, ValueError) as exc:
            result.bad.append((number, why_not_canonical(exc)))
            continue
        labels = label(row) if label else row.get("labels")
        labels = labels if isinstance(labels, dict) else None
        for point in decision_points(ticket, labels, every_turn):
            decision = decide(point, scorer, runs)
            top = decision.sources[0].id if decision.sources else None
            category = categories.get(top or "", NO_CATEGORY) or NO_CATEGORY
            item = outcome(decision, category, labels)
            result.outcomes.append(item)
            if out is not None:
                out.write(json.dumps({
                    "id": item.id, "kind": item.kind, "confidence": item.confidence,
                    "category": category, "reasons": list(item.reasons),
                    "signals": [s.name for s in decision.signals]}, ensure_ascii=False) + "\n")
    result.seconds = time.perf_counter() - started
    return result


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]


def why_not_canonical(exc: Exception) -> str:
    """What `core.simulation.ticket_from_row`'s exception says about the row, in the
    format's words: the missing field, or the first field pydantic refused."""
    if isinstance(exc, KeyError):
        return f"not a canonical ticket: missing field {exc.args[0]!r}"
    if isinstance(exc, ValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the ticket"
        return f"not a canonical ticket: {where}: {first['msg']}"
    return f"not a canonical ticket: {_short(exc)}"


def _texts(path: str, wanted: set[str]) -> dict[str, str]:
    """The first customer message (subject first) of the tickets in `wanted`."""
    found: dict[str, str] = {}
    for _, row in read_rows(path, []):
        if row.get("id") in wanted:
            messages = row.get("messages") or [{}]
            body = str(messages[0].get("body", "")) if isinstance(messages[0], dict) else ""
            subject = str(row.get("subject") or "")
            found[str(row["id"])] = (f"{subject}: " if subject else "") + body[:300]
            if len(found) == len(wanted):
                break
    return found


def evaluate(path: str, result: Capture, settings: Settings, step: float = 0.01,
             max_wrong: float | None = None, min_auto: float | None = None) -> dict[str, Any]:
    """The whole JSON-safe report of a capture: grid, curve, recommendation, per-category
    table, escalation reasons and examples at the chosen pair."""
    policy = settings.policy
    extra = overrides(policy)
    sweep = ThresholdSweep(result.outcomes, extra)
    pairs = grid(step)
    rows = sweep.grid(pairs)
    draft = policy.draft_threshold
    autos = sorted({a for a, _ in pairs})
    curve = sweep.grid([(a, min(draft, a)) for a in autos])
    target: dict[str, Any] = {}
    chosen = None
    if max_wrong is not None or min_auto is not None:
        target = {"max_wrong": max_wrong} if max_wrong is not None else {"min_auto": min_auto}
        chosen = recommend(curve, max_wrong=max_wrong, min_auto=min_auto)
    pair = ((chosen["auto_resolve_threshold"], chosen["draft_threshold"]) if chosen
            else (policy.auto_resolve_threshold, policy.draft_threshold))
    overall, per = sweep.at(*pair)
    reasons: Counter[str] = Counter()
    examples: dict[str, list[dict[str, Any]]] = {p: [] for p in ("auto_resolve", "draft",
                                                                  "escalate", "skip")}
    for o in result.outcomes:
        taken, codes = path_for(o, pair[0], pair[1], extra)
        if taken == "escalate":
            reasons[codes[0] if codes else "unknown"] += 1
        if len(examples[taken]) < EXAMPLES:
            examples[taken].append({"id": o.id, "category": o.category,
                                    "confidence": o.confidence, "reasons": list(codes)})
    texts = _texts(path, {e["id"] for items in examples.values() for e in items})
    for items in examples.values():
        for e in items:
            e["text"] = texts.get(e["id"], "")
    return {
        "file": path,
        "tickets": len(result.outcomes),
        "malformed": [{"line": n, "error": why} for n, why in result.bad],
        "seconds": round(result.seconds, 2),
        "configured": {"auto_resolve_threshold": policy.auto_resolve_threshold,
                       "draft_threshold": policy.draft_threshold,
                       "category_overrides": {k: list(v) for k, v in extra.items()}},
        "forced": dict(Counter(o.kind for o in result.outcomes)),
        "target": target,
        "recommended": chosen,
        "at": overall.figures(),
        "categories": {c: s.figures() for c, s in per.items()},
        "escalation_reasons": dict(reasons.most_common()),
        "examples": examples,
        "curve": curve,
        "grid": rows,
    }


def percent(text: str) -> float:
    """``1%`` or ``0.01`` as 0.01; raises ValueError, saying so, for anything else."""
    try:
        value = float(text[:-1]) / 100 if text.strip().endswith("%") else float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a share: give a percentage such as 1% or a "
                         "fraction such as 0.01") from None
    if not 0 <= value <= 1:
        raise ValueError(f"{text!r} is not a share between 0 and 1 (or 0% and 100%)")
    return value


def run(tickets: str, settings: Settings, scorer: Scorer, *, out_path: str | None,
        as_json: bool, html_path: str | None, max_wrong: str | None, min_auto: str | None,
        quiet: bool, every_turn: bool = False,
        label: Callable[[dict[str, Any]], Any] | None = None) -> int:
    """The ``simulate --sweep`` command after settings and scorer are built; the exit code.

    2 for two targets or a file without any ticket; malformed lines only warn.
    """
    import click
    from click._termui_impl import ProgressBar
    from rich.console import Console

    from worker.cli.render import thresholds as sweep_report

    # The command checked both shares when it parsed them (`worker.cli.engine._share`).
    wrong = percent(max_wrong) if max_wrong else None
    auto = percent(min_auto) if min_auto else None
    if wrong is not None and auto is not None:
        click.echo("give one target: --max-wrong or --min-auto", err=True)
        return 2
    total = count_lines(tickets)
    if not total:
        click.echo(f"{tickets}: no tickets (the file is empty)", err=True)
        return 2
    out = open(out_path, "w", encoding="utf-8") if out_path else None  # noqa: SIM115
    try:
        bar: ProgressBar[int]
        with click.progressbar(length=total, label="simulating", hidden=quiet,
                               file=sys.stderr, show_eta=True, show_pos=True) as bar:
            result = capture(tickets, settings, scorer, out, tick=lambda: bar.update(1),
                             every_turn=every_turn, label=label)
    finally:
        if out is not None:
            out.close()
    for number, why in result.bad:
        click.echo(f"{tickets}:{number}: skipped: {why}", err=True)
    if not result.outcomes:
        click.echo(f"{tickets}: no valid ticket ({len(result.bad)} malformed line(s))", err=True)
        return 2
    report = evaluate(tickets, result, settings, max_wrong=wrong, min_auto=auto)
    if html_path:
        with open(html_path, "w", encoding="utf-8") as handle:
            handle.write(sweep_report.page(report))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        sweep_report.terminal(report, Console())
        if html_path:
            click.echo(f"HTML report: {html_path}")
    return 0
