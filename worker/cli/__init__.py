"""The ``handoff`` command line: one module per command group, all under one root group.

Every command ends the same way on the same errors (`worker.cli.base.HandoffGroup`);
the exit codes are listed in `worker.cli.base`.
"""

from __future__ import annotations

import click

from infra.logs import FORMATS, configure
from worker.cli.base import HandoffGroup
from worker.cli.check import check_config
from worker.cli.demo import demo
from worker.cli.engine import calibrate, simulate
from worker.cli.explain import policy_test
from worker.cli.export import export
from worker.cli.install import install
from worker.cli.ladder import escalate
from worker.cli.ops import failed, replay
from worker.cli.policy import policy
from worker.cli.report import escalations, report
from worker.cli.serve import sandbox, serve, worker


@click.group(cls=HandoffGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
@click.option("--log-format", type=click.Choice(FORMATS), envvar="HANDOFF_LOG_FORMAT",
              default="text", show_default=True, help="json for log pipelines.")
def main(verbose: bool, log_format: str) -> None:
    """Handoff: let the AI answer only when it is sure; hand the rest to a human."""
    configure(log_format, verbose)


for command in (check_config, serve, worker, sandbox, demo, failed, install, replay, report,
                escalations, escalate, simulate, calibrate, export, policy):
    main.add_command(command)
policy.add_command(policy_test)
