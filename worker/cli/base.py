"""What every ``handoff`` command shares: its exit codes, and the one place that turns
errors into them.

Exit codes: 0 success; 1 the work itself failed (for example a demo ticket was not
processed, or a helpdesk could not be reached or refused the call); 2 bad configuration
or usage; 3 an id the settings name is missing in a helpdesk (``check-config --online``,
``install``); 130 interrupted by Ctrl-C.
"""

from __future__ import annotations

from typing import Any

import click

from core.errors import ConfigError, HelpdeskError

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_MISSING = 3
EXIT_INTERRUPTED = 130


class HandoffGroup(click.Group):
    """A click group that ends any of its commands (and its subgroups' commands) the
    same way: a `ConfigError` prints ``configuration error: ...`` and exits 2, a
    `HelpdeskError` prints ``helpdesk error: ...`` and exits 1. Anything else is a bug
    and propagates with its traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"configuration error: {exc}", err=True)
            ctx.exit(EXIT_CONFIG)
        except HelpdeskError as exc:
            click.echo(f"helpdesk error: {exc}", err=True)
            ctx.exit(EXIT_FAILED)
