"""The ``handoff`` command line: one module per command group, all under one root group.

Every command ends the same way on the same errors (`worker.cli.base.HandoffGroup`);
the exit codes are listed in `worker.cli.base`.
"""

from __future__ import annotations

import click

from infra.logs import FORMATS, configure
from worker.cli import (
    check,
    demo,
    engine,
    explain,
    export,
    init,
    install,
    ladder,
    learn,
    ops,
    policy,
    purge,
    report,
    serve,
)
from worker.cli.base import HandoffGroup, config_option, export_env, leaf_commands


@click.group(cls=HandoffGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="helpdesk-handoff", prog_name="handoff")
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
@click.option("--log-format", type=click.Choice(FORMATS), envvar="HANDOFF_LOG_FORMAT",
              default="text", show_default=True, help="json for log pipelines.")
@click.pass_context
def main(ctx: click.Context, verbose: bool, log_format: str) -> None:
    """Handoff: let the AI answer only when it is sure; hand the rest to a human."""
    export_env(ctx, "HANDOFF_LOG_FORMAT", log_format)
    configure(log_format, verbose)


for command in (check.check_config, serve.serve, serve.worker, serve.sandbox, demo.demo,
                ops.failed, install.install, ops.replay, report.report, report.escalations,
                ladder.escalate, engine.simulate, engine.calibrate, export.export, learn.learn,
                policy.policy, init.init, purge.purge):
    main.add_command(command)
policy.policy.add_command(explain.policy_test)
for _, command in leaf_commands(main):
    command.params.append(config_option())
