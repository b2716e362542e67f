"""``handoff report`` (the support lead's figures over a period, escalations, draft
feedback by category and article, the holdout)
and ``handoff escalations`` (list, resolve, dismiss or return records to the AI by hand).

Reads the decision log (``DATABASE_URL``, else SQLite under ``$HANDOFF_HOME``).
Exit codes follow `worker.cli`: 0 success, 2 bad configuration.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from core.aftercare import Outcome, suggestion
from infra.store.decision_log import database_url, open_log
from infra.store.escalations import Escalations, TransitionError
from worker.cli.base import EXIT_FAILED

OUTCOMES = (Outcome.ACCEPTED, Outcome.EDITED, Outcome.REJECTED)


def _records() -> Escalations:
    return Escalations(open_log(database_url()).engine)


@click.group()
def escalations() -> None:
    """List open escalation records; resolve or dismiss one by hand."""


@escalations.command("list")
def list_open() -> None:
    """Open records, oldest first: id, age, severity, reason, ticket, summary."""
    now = datetime.now(UTC)
    rows = _records().list_open(limit=10_000, now=now)
    for r in rows:
        hours = (now - r["opened_at"]).total_seconds() / 3600
        level = f"  [{r['ladder']} level {r['level'] + 1}]" if r.get("ladder") else ""
        click.echo(f"{r['id']:>5}  {hours:6.1f} h  {r['severity']:6}  {r['reason']:24}  "
                   f"{r['platform']} #{r['ticket_id']}  {r['summary']}{level}")
    click.echo(f"{len(rows)} open escalation(s)", err=True)


@escalations.command()
@click.argument("record_id", type=int)
def resolve(record_id: int) -> None:
    """Mark record RECORD_ID resolved. Exit 1 if it is missing or already closed."""
    _close(lambda r: r.resolve(record_id, "cli", datetime.now(UTC)), f"resolved {record_id}")


@escalations.command()
@click.argument("record_id", type=int)
@click.option("--note", required=True, help="Why the escalation was not needed.")
def dismiss(record_id: int, note: str) -> None:
    """Dismiss record RECORD_ID with a note. Exit 1 if it is missing or already closed."""
    _close(lambda r: r.dismiss(record_id, note, "cli", datetime.now(UTC)),
           f"dismissed {record_id}")


@escalations.command("return")
@click.argument("record_id", type=int)
def return_to_ai(record_id: int) -> None:
    """Hand RECORD_ID's ticket back to the AI: close the record as returned and queue a
    job that removes the escalate tags and answers the customer if it is their turn.
    Exit 1 if the record is missing or already closed."""
    import os

    import redis

    from infra.config import load_settings
    from infra.queue import queue_return
    from infra.redis_conn import connect
    from infra.store.handbacks import HandBacks

    settings = load_settings(env=os.environ)
    records = HandBacks(open_log(database_url()).engine)
    try:
        record = records.return_to_ai(record_id, "cli", datetime.now(UTC))
    except TransitionError as exc:
        click.echo(f"nothing changed: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    try:
        job = queue_return(settings, connect(os.environ), record)
    except redis.RedisError as exc:
        click.echo(f"returned {record_id}; the job was not queued ({exc}): the ticket's next "
                   "webhook finishes the hand-back", err=True)
        return
    click.echo(f"returned {record_id} to the AI ({record['platform']} #{record['ticket_id']}, "
               f"job {job})")


def _close(action: Callable[[Escalations], None], done: str) -> None:
    try:
        action(_records())
    except TransitionError as exc:
        click.echo(f"nothing changed: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(done)


def _table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    click.echo(f"\n{title}")
    if not rows:
        click.echo("  (no judged drafts yet)")
        return
    width = max(len(k) for k in rows) + 2
    click.echo(f"  {'':{width}}drafts  accepted  edited  rejected  acceptance  mean edit")
    for key, entry in rows.items():
        counts = entry["counts"]
        accepted = counts.get(Outcome.ACCEPTED, 0) + counts.get(Outcome.EDITED, 0)
        share = accepted / entry["total"] if entry["total"] else 0.0
        click.echo(f"  {key:{width}}{entry['total']:>6}  "
                   + "  ".join(f"{counts.get(o, 0):>{len(o)}}" for o in OUTCOMES)
                   + f"  {share:>10.0%}  {entry['mean_edit_ratio']:>9.2f}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Also write the report as one self-contained HTML file.")
@click.option("--days", type=click.IntRange(1, 366), default=28, show_default=True,
              help="The period: the last N days (ignored with --since).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="The period's first day (UTC), e.g. 2026-11-01.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
              help="The day after the period (UTC; default: now).")
def report(as_json: bool, html_path: str | None, days: int, since: datetime | None,
           until: datetime | None) -> None:
    """The support lead's figures over a period (escalation rate by reason and week,
    containment, reopen rate, first human reply, draft acceptance, holdout lift), each
    beside its target (``report:`` in the configuration); then open escalations, draft
    acceptance by category and article, suggested changes, and the holdout share."""
    import os

    if html_path:
        from worker.cli.render.charts import pyplot

        pyplot()  # before the work: a missing matplotlib is said at once

    from infra.config import load_settings
    from worker.cli.render.formats import collect, terminal, write

    now = datetime.now(UTC)
    end = until.replace(tzinfo=UTC) if until else now
    start = since.replace(tzinfo=UTC) if since else end - timedelta(days=days)
    if start >= end:
        raise click.BadParameter("--since must be before --until", param_hint="--since")
    records = _records()
    data = collect(records, start, end, load_settings(env=os.environ).report, now)
    if as_json or html_path:
        write(data, as_json, html_path)
        if as_json:
            return
    terminal(data["lead"])
    open_records = records.list_open(limit=10_000)
    click.echo(f"open escalations: {len(open_records)}")
    by_reason: dict[str, int] = {}
    for record in open_records:
        by_reason[record["reason"]] = by_reason.get(record["reason"], 0) + 1
    for reason, count in sorted(by_reason.items(), key=lambda item: -item[1]):
        click.echo(f"  {reason}: {count}")
    categories = records.feedback("category")
    _table("draft feedback by category (acceptance = accepted or edited)", categories)
    _table("draft feedback by article", records.feedback("article"))
    hints = [s for c, e in categories.items() if (s := suggestion(c, e["counts"]))]
    click.echo("\nsuggestions")
    for hint in hints or ["  none: no category has enough one-sided feedback yet"]:
        click.echo(f"  {hint.strip()}")
    held = records.holdout_summary()
    click.echo(f"\nholdout: {sum(held.values())} ticket decision(s) logged without AI action"
               + (f" ({', '.join(f'{p}: {n}' for p, n in sorted(held.items()))})" if held else ""))
    for group, figures in records.lift().items():
        click.echo(f"  {group:8} " + ", ".join(f"{k}: {v}" for k, v in figures.items()))
