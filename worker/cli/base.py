"""What every ``handoff`` command shares: its exit codes, the ``--config`` option, and the
one place that turns errors into a message and an exit code.

Exit codes: 0 success; 1 the work itself failed (for example a demo ticket was not
processed, or a helpdesk or Redis could not be reached or refused the call); 2 bad
configuration, usage or input data (a file named on the command line that cannot be read
or written, a bad line in a tickets file); 3 an id the settings name is missing in a
helpdesk (``check-config --online``, ``install``); 130 interrupted by Ctrl-C.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import click
import redis

from core.errors import ConfigError, HandoffError, HelpdeskError

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_MISSING = 3
EXIT_UNDELIVERED = 4  # `install`: done, but the receiver refused or missed the test delivery
EXIT_INTERRUPTED = 130


class DataError(HandoffError):
    """An input file given on the command line holds something unusable; the message
    names the file and the line."""


class HandoffGroup(click.Group):
    """A click group that ends any of its commands (and its subgroups' commands) the
    same way, one line on stderr and the exit code: ``configuration error: ...`` (2),
    ``data error: ...`` (2), ``FILE: reason`` for a file that cannot be read or written
    (2), ``helpdesk error: ...`` (1), ``Redis error: ...`` (1). Anything else is a bug
    and propagates with its traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"configuration error: {exc}", err=True)
            ctx.exit(EXIT_CONFIG)
        except DataError as exc:
            click.echo(f"data error: {exc}", err=True)
            ctx.exit(EXIT_CONFIG)
        except HelpdeskError as exc:
            click.echo(f"helpdesk error: {exc}", err=True)
            ctx.exit(EXIT_FAILED)
        except redis.RedisError as exc:
            where = os.environ.get("REDIS_URL") or "the embedded Redis"
            click.echo(f"Redis error: cannot reach Redis at {where} ({exc}); is it running, "
                       "and is REDIS_URL right?", err=True)
            ctx.exit(EXIT_FAILED)
        except OSError as exc:
            if exc.filename is None:
                raise
            click.echo(f"{exc.filename}: {exc.strerror}", err=True)
            ctx.exit(EXIT_CONFIG)


def export_env(ctx: click.Context, name: str, value: str) -> None:
    """Set environment variable `name` for the rest of the command and the processes it
    starts (gunicorn, workers); the old value is back when the command ends."""
    previous = os.environ.get(name)
    os.environ[name] = value

    def restore() -> None:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous

    # On the root context: a subcommand's context is never closed when its own arguments
    # fail to parse after --config (eager) was read.
    ctx.find_root().call_on_close(restore)


def _use_config(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Put the chosen file in ``$HANDOFF_CONFIG``, which every settings loader reads."""
    if value is not None:
        export_env(ctx, "HANDOFF_CONFIG", value)


def config_option() -> click.Option:
    """``--config FILE``, the same on every command, with ``$HANDOFF_CONFIG`` behind it.

    A file that is missing or invalid is reported by the settings loader (exit 2) when
    the command reads it, so commands that need no settings still run.
    """
    return click.Option(
        ["--config"], metavar="FILE", envvar="HANDOFF_CONFIG", expose_value=False,
        is_eager=True, callback=_use_config, type=click.Path(dir_okay=False),
        help="Settings file (default: $HANDOFF_CONFIG, else handoff.yaml or "
             "config/handoff.yaml here, else the built-in defaults).")


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    """Every command under `group` that is not itself a group, with its name path."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command
