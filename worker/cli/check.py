"""``handoff check-config``: validate the settings file, and with ``--online`` the ids it
names against each helpdesk."""

from __future__ import annotations

import os
import sys

import click
import yaml


@click.command("check-config")
@click.argument("file", required=False)
@click.option("--online", is_flag=True,
              help="Also ask each helpdesk whether the credentials work and every group, "
                   "agent, team and custom field the settings name exists.")
def check_config(file: str | None, online: bool) -> None:
    """Validate FILE (default: $HANDOFF_CONFIG or config/handoff.yaml) and print it.

    Secrets are masked. A bad file prints the key, the value and the reason, and
    exits 2. With --online each id is printed with where it is named and whether
    the helpdesk has it: exit 3 when one is missing, 1 when a helpdesk cannot be
    reached or refuses the credentials. With REDIS_URL set, a Redis that would lose
    acknowledged deliveries on a restart (or whose persistence cannot be checked) gets
    a ``# warning:`` line.
    """
    from connectors.registry import build_connectors
    from core.messages import completeness
    from core.settings import masked
    from infra.config import load_knowledge, load_settings

    settings = load_settings(file)
    docs = load_knowledge(settings.knowledge_dir)
    connectors = build_connectors(settings)
    click.echo(yaml.safe_dump(masked(settings), sort_keys=False).rstrip())
    click.echo(f"# ok: {len(docs)} knowledge articles, platforms: "
               f"{', '.join(settings.platforms.enabled()) or 'none'}")
    for line in completeness(settings.language):
        click.echo(line)
    if os.environ.get("REDIS_URL"):
        _check_redis_persistence()
    if online:
        from worker.cli.check_online import check_online

        report = check_online(settings, connectors,
                              progress=lambda text: click.echo(text, err=True))
        for line in report.lines:
            click.echo(line)
        click.echo(report.summary())
        sys.exit(report.exit_code)


def _check_redis_persistence() -> None:
    import redis

    from infra.redis_conn import connect
    from infra.redis_health import persistence_warning, unchecked

    try:
        warning = persistence_warning(connect(os.environ))
    except redis.RedisError as exc:
        warning = unchecked(exc)
    if warning:
        click.echo(f"# warning: {warning}")
