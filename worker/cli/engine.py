"""``handoff simulate`` and ``handoff calibrate``: run the decision engine offline.

Exit codes follow `worker.cli`: 0 success, 2 bad configuration or input.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from core.errors import ConfigError
from worker.cli.base import EXIT_CONFIG


def _share(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check a ``1%`` or ``0.01`` option at parse time: a bad one is a usage error (exit 2)."""
    from worker.cli.thresholds import percent

    if value is not None:
        try:
            percent(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
    return value


@click.command()
@click.argument("tickets", type=click.Path(exists=True, dir_okay=False))
@click.option("--knowledge", "knowledge_dir", type=click.Path(exists=True, file_okay=False),
              help="Knowledge directory (default: the config's knowledge_dir).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="Where to write one JSON decision per line (required without --sweep).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--sweep", is_flag=True,
              help="Evaluate every threshold pair from one engine pass (see docs/simulation.md).")
@click.option("--max-wrong", callback=_share, help="With --sweep: recommend thresholds for at "
              "most this wrong-answer rate among auto-resolutions, e.g. 1%.")
@click.option("--min-auto", callback=_share, help="With --sweep: recommend thresholds "
              "auto-resolving at least this share, e.g. 60%.")
@click.option("--json", "as_json", is_flag=True, help="With --sweep: print JSON, not tables.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="With --sweep: write a self-contained HTML report with charts.")
@click.option("--every-turn", is_flag=True, help="Decide every moment a customer waited for "
              "a reply, not only an exported ticket's first customer turn.")
def simulate(tickets: str, knowledge_dir: str | None,
             out_path: str | None, quiet: bool, sweep: bool, max_wrong: str | None,
             min_auto: str | None, as_json: bool, html_path: str | None,
             every_turn: bool) -> None:
    """Run the engine over canonical TICKETS.jsonl and write DECISIONS.jsonl.

    Prints a summary, and the evaluation metrics when tickets carry `labels`
    (the engine never sees them). Writes nothing to any helpdesk. A ticket exported
    by `handoff export` (its labels hold `history`) is decided at its first customer
    turn: the thread cut just before the first agent or AI reply, and judged by the
    article its agent's reply matched (when it matched one).
    With --sweep, streams the tickets once and reports every threshold pair.
    """
    if not sweep and out_path is None:
        raise click.UsageError("--out is required (unless --sweep)")
    if html_path:
        from worker.cli.render.charts import pyplot

        pyplot()  # before the engine runs: a missing matplotlib is said at once
    from core.engine import decide
    from core.simulation import Metrics, decision_row, ticket_from_row
    from core.turns import decision_points
    from infra.config import load_settings
    from worker.cli.learner import AgentYardstick
    from worker.cli.thresholds import read_rows, why_not_canonical
    from worker.scoring import build_hybrid, build_scorer

    settings = load_settings()
    if knowledge_dir:
        settings = settings.model_copy(update={"knowledge_dir": Path(knowledge_dir)})
    scorer = build_scorer(settings)
    yardstick = AgentYardstick(lambda: build_hybrid(settings, learned=False))
    if sweep:
        from worker.cli.thresholds import run

        sys.exit(run(tickets, settings, scorer, out_path=out_path, as_json=as_json,
                     html_path=html_path, max_wrong=max_wrong, min_auto=min_auto,
                     quiet=quiet, every_turn=every_turn, label=yardstick))
    assert out_path is not None  # checked above; --sweep has exited
    # Bad lines are skipped and listed, as --sweep does: one bad line costs one ticket.
    bad: list[tuple[int, str]] = []
    rows = list(read_rows(tickets, bad))
    metrics = Metrics()
    decided = 0
    started = time.perf_counter()
    with open(out_path, "w", encoding="utf-8") as out, click.progressbar(
        rows, label="simulating", hidden=quiet, file=sys.stderr
    ) as bar:
        for number, row in bar:
            try:
                ticket = ticket_from_row(row)
            except (KeyError, TypeError, ValueError) as exc:
                bad.append((number, why_not_canonical(exc)))
                continue
            decided += 1
            labels = yardstick(row)
            for point in decision_points(ticket, labels, every_turn):
                line = decision_row(decide(point, scorer, settings))
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                metrics.add(line, labels)
    elapsed = time.perf_counter() - started
    for number, why in sorted(bad):
        click.echo(f"{tickets}:{number}: skipped: {why}", err=True)
    if not decided:
        click.echo(f"{tickets}: no valid ticket ({len(bad)} malformed line(s))", err=True)
        sys.exit(EXIT_CONFIG)
    report = metrics.report()
    report["seconds"] = round(elapsed, 2)
    report["tickets_per_second"] = round(decided / elapsed, 1) if elapsed else None
    for key, value in report.items():
        click.echo(f"{key}: {value}")
    _keep_for_admin_page({"file": tickets, **report})


def _keep_for_admin_page(report: dict[str, Any]) -> None:
    from infra.store import simulation_report

    try:
        simulation_report.save(report)
    except OSError as exc:  # the report is printed anyway; the admin page just misses it
        click.echo(f"note: could not keep the report for the admin page: {exc}", err=True)


@click.command()
@click.argument("tickets", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--knowledge", "knowledge_dir", type=click.Path(exists=True, file_okay=False),
              help="Knowledge directory (default: the config's knowledge_dir).")
@click.option("--zero-shot", is_flag=True,
              help="Fit the knowledge base's own calibration (calibration.json: used with no "
                   "learned index, and by the learned scorer's fallback) even when "
                   "`handoff learn` has learned from history.")
def calibrate(tickets: str | None, knowledge_dir: str | None, zero_shot: bool) -> None:
    """Fit the confidence calibration (Platt) and save it with the index.

    With TICKETS.jsonl, uses its tickets whose `labels.intent` names an article
    (correct = that article ranks first). Without, holds out each article example
    in turn (leave-one-out over the knowledge base), or, when `handoff learn` has
    learned from history for this knowledge base, cross-fits again over the learned
    pairs; a learned index keeps its calibration in learned.json (`--zero-shot` fits
    the knowledge base's own one instead). Prints the expected calibration error.
    """
    from datetime import UTC, datetime

    from core.calibration import expected_calibration_error, fit_platt
    from core.learned_scorer import LearnedScorer
    from core.models import Message, Requester, Role, Ticket
    from core.retrieval import leave_one_out
    from infra.config import load_settings
    from worker.scoring import build_hybrid, index_dir, save_calibration

    settings = load_settings()
    if knowledge_dir:
        settings = settings.model_copy(update={"knowledge_dir": Path(knowledge_dir)})
    scorer = build_hybrid(settings, learned=not zero_shot)
    from worker.cli.thresholds import every_row

    labelled = every_row(tickets) if tickets else []
    if isinstance(scorer, LearnedScorer):
        _calibrate_learned(scorer, labelled, settings)
        return
    if tickets:
        rows, outcomes = _features(scorer, labelled)
    else:
        def make(text: str) -> Ticket:
            when = datetime(2026, 1, 1, tzinfo=UTC)
            return Ticket(id="loo", platform="calibration", requester=Requester(id="loo"),
                          messages=(Message(author=Role.CUSTOMER, text=text, created_at=when),))

        rows, outcomes = leave_one_out(scorer, make)
    before = expected_calibration_error(
        [scorer.calibration.probability(r) for r in rows], outcomes)
    try:
        fitted = fit_platt(rows, outcomes)
    except ValueError as exc:
        click.echo(f"cannot calibrate: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    file = save_calibration(index_dir(settings), fitted)
    click.echo(f"examples: {len(rows)}, top-1 correct: {sum(outcomes)}")
    click.echo(f"ECE before: {before:.4f}, after: {fitted.ece:.4f}")
    click.echo(f"saved {file}")


def _features(scorer: Any, labelled: list[dict[str, Any]]
              ) -> tuple[list[list[float]], list[bool]]:
    """Calibration feature rows of the `labelled` rows whose `labels.intent` names an
    article, and whether that article ranked first."""
    from core.simulation import ticket_from_row

    ids = {d.id: i for i, d in enumerate(scorer.docs)}
    rows, outcomes = [], []
    for row in labelled:
        intent = (row.get("labels") or {}).get("intent")
        if intent in ids:
            features, order, _ = scorer.features(ticket_from_row(row))
            rows.append(features)
            outcomes.append(bool(order) and order[0] == ids[intent])
    return rows, outcomes


def _calibrate_learned(scorer: Any, labelled: list[dict[str, Any]], settings: Any) -> None:
    """Calibrate the learned index (see `worker.cli.learner.recalibrate`); exits 2 on failure."""
    from worker.cli.learner import recalibrate
    from worker.scoring import build_hybrid, index_dir

    pairs = _features(scorer, labelled) if labelled else None
    try:
        index = recalibrate(build_hybrid(settings, learned=False), index_dir(settings), pairs)
    except (ConfigError, OSError) as exc:
        click.echo(f"cannot calibrate: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    calibration = index.calibration
    assert calibration is not None
    click.echo(f"learned index: {calibration.samples} examples, ECE {calibration.ece}")
    click.echo(f"saved {index_dir(settings) / 'learned.json'}")
