"""``handoff install <platform>``: register our webhook with a helpdesk, idempotently."""

from __future__ import annotations

import os
import sys

import click

from core.errors import HelpdeskError
from worker.cli.base import EXIT_FAILED, EXIT_UNDELIVERED


def _public_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise click.BadParameter("must be an http(s) URL, e.g. https://handoff.example.com")
    return value.rstrip("/")


@click.command()
@click.argument("platform")
@click.option("--public-url", required=True, callback=_public_url,
              help="Where the helpdesk reaches the receiver, e.g. https://handoff.example.com.")
def install(platform: str, public_url: str) -> None:
    """Create Handoff's webhook (and trigger) in PLATFORM, or find the existing ones.

    Safe to run again: a second run creates nothing. Secrets the admin must
    store are printed once, here, and never logged. Then the ids the settings
    name are checked as ``check-config --online`` does. Exit codes: 0 done, 1
    the helpdesk refused or failed, 2 bad configuration (missing API token,
    platform not configured), 3 installed but an id the settings name is
    missing in the helpdesk, 4 installed but the test delivery to the receiver
    failed or was refused (unreachable URL, other secret).
    """
    from connectors.registry import build_connector
    from infra.config import load_settings

    settings = load_settings(env=os.environ)
    connector = build_connector(platform, settings.platforms, require_secrets=False)
    click.echo(f"installing Handoff in {platform} for {public_url} ...", err=True)
    try:
        report = connector.install(public_url)
    except HelpdeskError as exc:
        click.echo(f"{platform}: install failed: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    for item in report.created:
        click.echo(f"created: {item}")
    for item in report.existing:
        click.echo(f"found:   {item}")
    if not report.created:
        # Not "nothing to create": Freshdesk's rules follow, for the admin to create by hand.
        click.echo("nothing created")
    for variable, value in report.secrets.items():
        click.echo(f"{variable}={value}")
    if report.instructions:
        click.echo(report.instructions)
    from worker.cli.check_online import check_online

    checked = check_online(settings, {platform: connector.directory},
                           progress=lambda text: click.echo(text, err=True))
    for line in checked.lines:
        click.echo(line)
    click.echo(checked.summary())
    if checked.exit_code == 0 and report.delivered is False:
        click.echo(f"{platform}: installed, but the receiver did not accept the test delivery "
                   "(see above)", err=True)
        sys.exit(EXIT_UNDELIVERED)
    sys.exit(checked.exit_code)
