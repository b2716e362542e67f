"""``handoff learn HISTORY.jsonl``: learn from the tickets agents already answered.

Exit codes: 0 learned (or nothing new), 2 bad configuration, a malformed history
file or learned index, or an index directory that cannot be written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from core.errors import ConfigError
from worker.cli.base import EXIT_CONFIG

SHOWN_UNUSABLE = 20


@click.command()
@click.argument("history", type=click.Path(exists=True, dir_okay=False))
@click.option("--knowledge", "knowledge_dir", type=click.Path(exists=True, file_okay=False),
              help="Knowledge directory (default: the config's knowledge_dir).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--gaps", "gaps_path", type=click.Path(dir_okay=False),
              help="Write the knowledge-gap clusters here (HTML) and beside it as .json.")
def learn(history: str, knowledge_dir: str | None,
          as_json: bool, quiet: bool, gaps_path: str | None) -> None:
    """Learn article examples and an honest confidence from HISTORY.jsonl (what `handoff
    export` writes): each ticket's first public agent reply is matched to an article
    (or abstained from), and the customer's question(s) before it become examples.

    Saved as learned.json beside the index, for this version of the knowledge base;
    the worker, simulate, calibrate and policy test use it. Re-running with the same
    file changes nothing; a longer history adds its new tickets.
    """
    from infra.config import load_settings
    from worker.cli.learner import learn as run_learn
    from worker.cli.learner import per_article
    from worker.scoring import build_hybrid, index_dir

    def progress(done: int) -> None:
        if not quiet:
            click.echo(f"matched {done} new tickets", err=True)

    try:
        settings = load_settings()
        if knowledge_dir:
            settings = settings.model_copy(update={"knowledge_dir": Path(knowledge_dir)})
        base = build_hybrid(settings, learned=False)
        run = run_learn(Path(history), base, index_dir(settings), progress)
    except ConfigError as exc:
        click.echo(f"learn: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    except OSError as exc:
        click.echo(f"learn: cannot write the learned index: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    assert run.index is not None
    if run.restarted:
        click.echo("the learned index was for another version of the knowledge base: "
                   "learning again from this history only", err=True)
    if gaps_path:
        from worker.cli.render import gaps

        try:
            clusters = gaps.report(Path(history), run.index, base)
            written = gaps.write(clusters, Path(gaps_path))
        except OSError as exc:
            click.echo(f"learn: cannot write the gap report: {exc}", err=True)
            sys.exit(EXIT_CONFIG)
        click.echo(f"knowledge gaps: {len(clusters)} clusters in {gaps_path} and {written}",
                   err=True)
    articles = per_article(run.index, base)
    tally = run.index.tally()
    matched = sum(n for name, n in tally.items() if name.startswith("="))
    summary = {
        "lines": run.lines, "new_tickets": run.added, "already_learned": run.known,
        "learned_tickets": len(run.index.seen), "matched": matched,
        "abstained": len(run.index.seen) - matched,
        "unusable": len(run.unusable),
        "unusable_lines": [{"line": n, "why": why} for n, why in run.unusable],
        "calibration": run.index.calibration.model_dump(mode="json")
        if run.index.calibration else None,
        "changed": run.changed, "file": str(run.file) if run.file else None,
    }
    if as_json:
        click.echo(json.dumps({**summary, "articles": articles}, indent=2))
        return
    click.echo(f"{'article':<28} {'matched':>7} {'examples':>8} {'held-out acc':>12} "
               f"{'abstained':>9}")
    for row in articles:
        accuracy = "-" if row["heldout_accuracy"] is None else f"{row['heldout_accuracy']:.3f}"
        click.echo(f"{row['article']:<28} {row['matched']:>7} {row['examples_added']:>8} "
                   f"{accuracy:>12} {row['abstained']:>9}")
    no_guess = tally["?"]
    if no_guess:
        click.echo(f"{'(no article)':<28} {'':>7} {'':>8} {'':>12} {no_guess:>9}")
    click.echo(f"\nlines read: {run.lines}; new tickets: {run.added}; already learned: "
               f"{run.known}; matched {summary['matched']}, abstained {summary['abstained']} "
               f"of {summary['learned_tickets']} learned tickets")
    if run.unusable:
        shown = ", ".join(f"{n} ({why})" for n, why in run.unusable[:SHOWN_UNUSABLE])
        more = f" and {len(run.unusable) - SHOWN_UNUSABLE} more" \
            if len(run.unusable) > SHOWN_UNUSABLE else ""
        click.echo(f"unusable lines: {len(run.unusable)}: {shown}{more}")
    calibration = run.index.calibration
    if run.fit is not None:
        outcomes = run.fit.outcomes
        click.echo(f"cross-fitted calibration: {len(outcomes)} held-out questions, top-1 "
                   f"correct {sum(outcomes)}"
                   + (f", ECE {calibration.ece:.4f}" if calibration and calibration.ece
                      is not None else " (not fitted: needs both right and wrong answers)"))
    click.echo(f"saved {run.file}" if run.file else "nothing new: the learned index is unchanged")
