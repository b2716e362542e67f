"""``handoff export``: pull a helpdesk's historical tickets into canonical JSONL.

Exit codes follow `worker.cli`: 0 done (or stopped at ``--limit``), 1 the
helpdesk failed (rerun the same command to resume), 2 bad usage or
configuration, 130 interrupted (resumable too).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from core.errors import ConfigError, HelpdeskError
from worker.cli.base import EXIT_FAILED, EXIT_INTERRUPTED

PLATFORMS = ("freshdesk", "gorgias", "zendesk")


class _Bar:
    """A rich progress bar: tickets exported, the rate, and the ETA when the total is known."""

    def __init__(self, quiet: bool) -> None:
        self._progress = Progress(
            TextColumn("exporting"), BarColumn(), MofNCompleteColumn(),
            TextColumn("tickets"), TimeElapsedColumn(), TextColumn("ETA"),
            TimeRemainingColumn(), console=Console(stderr=True), disable=quiet,
        )
        self._task = self._progress.add_task("export", total=None)

    def start(self, done: int, total: int | None) -> None:
        self._progress.update(self._task, completed=done, total=total)

    def advance(self) -> None:
        self._progress.advance(self._task)

    def __enter__(self) -> _Bar:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._progress.stop()


def _since(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from worker.cli.exporter import parse_since

    try:
        parse_since(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date: use YYYY-MM-DD or an ISO 8601 time such as "
            "2026-01-31T08:00:00Z") from None
    return value


@click.command("export")
@click.argument("platform", type=click.Choice(PLATFORMS))
@click.option("--since", required=True, callback=_since,
              help="Tickets updated since this date (YYYY-MM-DD or ISO 8601; UTC unless it "
                   "says).")
@click.option("--limit", type=click.IntRange(min=1), help="Stop once the file holds N tickets.")
@click.option("--out", "out_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The JSONL file to write.")
@click.option("--page-size", default=100, show_default=True, type=click.IntRange(1, 100),
              help="Tickets per listing page.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def export(platform: str, since: str, limit: int | None, out_path: Path, page_size: int,
           quiet: bool) -> None:
    """Export PLATFORM's tickets updated since --since to canonical JSONL (--out).

    Each line is a ticket `handoff simulate` reads, labelled from its history
    (see docs/simulation.md). Calls stay within the account's rate budget. An
    interrupted export resumes where it stopped when the same command is run
    again (a checkpoint lives next to --out).
    """
    from connectors.ratelimit import RedisRateBudget
    from connectors.registry import build_connector
    from infra.config import load_settings
    from infra.redis_conn import connect
    from worker.cli.exporter import export as run
    from worker.cli.exporter import parse_since

    try:
        settings = load_settings()
        section = getattr(settings.platforms, platform, None)
        if section is None:
            raise ConfigError(f"platforms.{platform}: the platform is not configured")
        budget = RedisRateBudget.for_account(connect(os.environ), platform, section)
        connector = build_connector(platform, settings.platforms, require_secrets=False,
                                    budget=budget)
        with _Bar(quiet) as bar:
            result = run(connector, parse_since(since), out_path, limit=limit,
                         page_size=page_size, progress=bar)
    except HelpdeskError as exc:
        click.echo(f"export stopped: {exc}\nrun the same command again to resume "
                   f"(checkpoint next to {out_path})", err=True)
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        click.echo("interrupted: run the same command again to resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if result.dropped_partial:
        click.echo("dropped a half-written last line left by the interrupted run", err=True)
    state = "complete" if result.complete else f"stopped at --limit {limit}"
    click.echo(f"exported {result.written} tickets this run, {result.total} in {out_path} "
               f"({state}); {result.gone} listed tickets were gone")
