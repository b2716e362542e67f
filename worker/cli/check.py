"""``handoff check-config``: validate the settings file, and with ``--online`` the ids it
names against each helpdesk."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
import yaml


def differences(effective: Any, default: Any) -> Any:
    """The parts of `effective` that differ from `default`, nested as in the settings;
    None when nothing differs. Lists and values are compared whole."""
    if isinstance(effective, dict) and isinstance(default, dict):
        changed = {key: differences(value, default.get(key)) for key, value in effective.items()
                   if key not in default or value != default[key]}
        return {key: value for key, value in changed.items() if value is not None} or None
    return None if effective == default else effective


@click.command("check-config")
@click.option("--online", is_flag=True,
              help="Also ask each helpdesk whether the credentials work and every group, "
                   "agent, team and custom field the settings name exists.")
@click.option("--all", "show_all", is_flag=True,
              help="Print every setting, not only those that differ from the defaults.")
def check_config(online: bool, show_all: bool) -> None:
    """Validate the settings (--config) and print what differs from the defaults
    (every setting with --all).

    Secrets are masked. A bad file prints the key, the value and the reason, and
    exits 2. With --online each id is printed with where it is named and whether
    the helpdesk has it: exit 3 when one is missing, 1 when a helpdesk cannot be
    reached or refuses the credentials. With REDIS_URL set, a Redis that would lose
    acknowledged deliveries on a restart (or whose persistence cannot be checked) gets
    a ``# warning:`` line.
    """
    from connectors.registry import build_connectors
    from core.messages import completeness
    from core.settings import Settings, masked
    from infra.config import config_path, load_knowledge, load_settings

    settings = load_settings()
    docs = load_knowledge(settings.knowledge_dir)
    connectors = build_connectors(settings)
    shown = masked(settings)
    if not show_all:
        shown = differences(shown, masked(Settings.model_validate({}))) or {}
        click.echo(f"# {config_path()}: the settings that differ from the defaults "
                   "(--all prints every one)")
    click.echo(yaml.safe_dump(shown, sort_keys=False).rstrip())
    click.echo(f"# ok: {len(docs)} knowledge articles, platforms: "
               f"{', '.join(settings.platforms.enabled()) or 'none'}")
    for line in completeness(settings.language):
        click.echo(line)
    if os.environ.get("REDIS_URL"):
        _check_redis_persistence()
    if online:
        from worker.cli.check_online import check_online

        report = check_online(settings, {name: c.directory for name, c in connectors.items()},
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
