"""``handoff purge``: delete decision-log and escalation rows past the retention period
(`infra.store.retention` says what is kept whatever its age, and why)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click

_DURATION = re.compile(r"(\d+)\s*([dw]?)")


def _days(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """``90d``, ``12w`` or ``90`` (days) as a number of days; a usage error otherwise."""
    if value is None:
        return None
    match = _DURATION.fullmatch(value.strip().lower())
    if match is None or int(match[1]) < 1:
        raise click.BadParameter(f"{value!r} is not a period: give days or weeks, e.g. 90d "
                                 "or 12w")
    return int(match[1]) * (7 if match[2] == "w" else 1)


@click.command()
@click.option("--older-than", "days", callback=_days, metavar="PERIOD",
              help="Delete rows older than this, e.g. 90d or 12w (default: the settings' "
                   "retention_days).")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
def purge(days: int | None, dry_run: bool) -> None:
    """Delete decisions (with their write results), closed escalation records, drafts,
    hand-backs, holdout decisions and ticket outcomes older than the retention period.

    Open escalation records and their decisions are kept whatever their age. Prints the
    rows deleted per table. Exit 2 for a bad period, settings or DATABASE_URL.
    """
    from infra.config import load_settings
    from infra.store.decision_log import database_url, open_log
    from infra.store.retention import purge as purge_rows

    keep = days if days is not None else load_settings().retention_days
    before = datetime.now(UTC) - timedelta(days=keep)
    counts = purge_rows(open_log(database_url()).engine, before, dry_run)
    verb = "would delete" if dry_run else "deleted"
    for table, count in counts.items():
        click.echo(f"{verb} {count:>7} {table}")
    click.echo(f"rows older than {before:%Y-%m-%d %H:%M} UTC ({keep} days); open escalations "
               "and their decisions kept", err=True)
