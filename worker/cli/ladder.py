"""``handoff escalate PLATFORM TICKET_ID``: pass an escalated ticket one level up its ladder.

The same step an agent triggers with the next-level tag (`worker.ladder`), run
here without loading the scorer. Exit codes follow `worker.cli`: 0 the ticket
moved up, 1 it did not (no open escalation, no ladder, or already at the top;
the reason is printed and, except without a record, noted on the ticket),
2 bad configuration.
"""

from __future__ import annotations

import getpass
import os
import sys
import uuid
from datetime import UTC, datetime

import click

from connectors.ratelimit import redis_budgets
from connectors.registry import build_connectors
from core.errors import ConfigError
from infra.config import load_settings
from infra.redis_conn import connect
from infra.store.decision_log import database_url, open_log
from worker.ladder import LadderContext, climb_ticket


@click.command()
@click.argument("platform")
@click.argument("ticket_id")
@click.option("--reason", default="", help="Why the next level is needed (goes in the note).")
@click.option("--by", "who", default=None, help="Who asks (default: the operator's login).")
def escalate(platform: str, ticket_id: str, reason: str, who: str | None) -> None:
    """Pass TICKET_ID on PLATFORM to the next level of its escalation ladder."""
    settings = load_settings(env=os.environ)
    connection = connect(os.environ)
    connectors = build_connectors(settings, budget_factory=redis_budgets(connection))
    if platform not in connectors:
        raise ConfigError(f"platform {platform!r} is not configured")
    log = open_log(database_url(), lock=connection)
    context = LadderContext(settings, connection, log, connectors[platform])
    by = f"operator {who or getpass.getuser()} (handoff escalate)"
    outcome = climb_ticket(context, ticket_id, f"cli-{uuid.uuid4().hex}", by, reason,
                           datetime.now(UTC))
    click.echo(outcome.message)
    sys.exit(0 if outcome.climbed else 1)
