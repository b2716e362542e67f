"""The ``handoff`` command line.

Exit codes: 0 success, 1 the work itself failed (for example a demo ticket was
not processed, or a helpdesk could not be reached), 2 bad configuration or usage,
3 an id the settings name is missing in a helpdesk (``check-config --online``,
``install``), 130 interrupted by Ctrl-C.
"""

from __future__ import annotations

import os
import sys

import click
import yaml

from core.errors import ConfigError
from worker.cli_engine import calibrate, simulate
from worker.cli_export import export
from worker.cli_install import install
from worker.cli_ladder import escalate
from worker.cli_learn import learn
from worker.cli_ops import failed, replay
from worker.cli_policy import policy
from worker.cli_policy_test import policy_test
from worker.cli_report import escalations, report
from worker.logs import FORMATS, configure

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130


def _fail_config(exc: ConfigError) -> None:
    click.echo(f"configuration error: {exc}", err=True)
    sys.exit(EXIT_CONFIG)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
@click.option("--log-format", type=click.Choice(FORMATS), envvar="HANDOFF_LOG_FORMAT",
              default="text", show_default=True, help="json for log pipelines.")
def main(verbose: bool, log_format: str) -> None:
    """Handoff: let the AI answer only when it is sure; hand the rest to a human."""
    configure(log_format, verbose)


@main.command("check-config")
@click.argument("file", required=False)
@click.option("--online", is_flag=True,
              help="Also ask each helpdesk whether the credentials work and every group, "
                   "agent, team and custom field the settings name exists.")
def check_config(file: str | None, online: bool) -> None:
    """Validate FILE (default: $HANDOFF_CONFIG or config/handoff.yaml) and print it.

    Secrets are masked. A bad file prints the key, the value and the reason, and
    exits 2. With --online each id is printed with where it is named and whether
    the helpdesk has it: exit 3 when one is missing, 1 when a helpdesk cannot be
    reached or refuses the credentials.
    """
    from connectors.registry import build_connectors
    from core.settings import masked
    from worker.config import load_knowledge, load_settings

    try:
        settings = load_settings(file)
        docs = load_knowledge(settings.knowledge_dir)
        connectors = build_connectors(settings)
    except ConfigError as exc:
        _fail_config(exc)
    click.echo(yaml.safe_dump(masked(settings), sort_keys=False).rstrip())
    click.echo(f"# ok: {len(docs)} knowledge articles, platforms: "
               f"{', '.join(settings.platforms.enabled()) or 'none'}")
    if online:
        from worker.check_online import check_online

        report = check_online(settings, connectors,
                              progress=lambda text: click.echo(text, err=True))
        for line in report.lines:
            click.echo(line)
        click.echo(report.summary())
        sys.exit(report.exit_code)


def receiver_workers() -> int:
    """`handoff serve`'s default number of gunicorn processes: one more than the cores."""
    return (os.cpu_count() or 1) + 1


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=receiver_workers, type=int,
              show_default="cores + 1", help="gunicorn processes.")
@click.option("--threads", default=1, show_default=True, type=int,
              help="Threads per process: above 1, gunicorn's gthread worker (keep-alive); "
                   "1, the sync worker.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the webhook receiver with gunicorn."""
    # Sync workers, one more than the cores: the count grows with the host (a fixed 2
    # left cores idle), and the extra worker takes requests while another waits for
    # Redis. On 2 cores 3 and 2 were level within the noise; 4, 5 and gthread were
    # worse (docs/performance.md, ingestion).
    server = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
    argv = [
        "gunicorn", "--workers", str(workers), *server, "--bind", f"{host}:{port}",
        "--access-logfile", "-", "--graceful-timeout", "10",
        "worker.wsgi:build_app()",
    ]
    os.execv(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606 - fixed argv, no shell


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run an RQ worker (in-process jobs: models load once per process)."""
    from rq.serializers import JSONSerializer

    from receiver.intake import make_queue
    from worker.rq_worker import HandoffWorker
    from worker.runtime import current

    try:
        runtime = current()
    except ConfigError as exc:
        _fail_config(exc)
    queue = make_queue(runtime.settings, runtime.redis)
    settings = runtime.settings.queue
    rq_worker = HandoffWorker(
        [queue], connection=runtime.redis, serializer=JSONSerializer,
        job_monitoring_interval=settings.heartbeat_seconds,
        maintenance_interval=settings.maintenance_interval_seconds,
        # rq waits for a job for worker_ttl - 15 s and runs maintenance only between waits:
        # an idle worker must wake up often enough to find abandoned jobs.
        worker_ttl=settings.maintenance_interval_seconds + 15,
    )
    if not burst:
        from worker.sla_sweep import schedule_sweep

        schedule_sweep(runtime)
    rq_worker.work(burst=burst, with_scheduler=not burst)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
@click.option("--webhook-url", envvar="HANDOFF_SANDBOX_WEBHOOK_URL",
              help="Receiver root to send webhooks to, e.g. http://127.0.0.1:8000.")
@click.option("--quiet", is_flag=True, help="Do not log each request.")
def sandbox(host: str, port: int, webhook_url: str | None, quiet: bool) -> None:
    """Run the local sandbox helpdesk (in-memory, speaks the helpdesk APIs).

    Zendesk credentials come from HANDOFF_ZENDESK_EMAIL, HANDOFF_ZENDESK_API_TOKEN
    and HANDOFF_ZENDESK_SIGNING_SECRET (required). Freshdesk is played when
    HANDOFF_FRESHDESK_API_TOKEN and HANDOFF_FRESHDESK_WEBHOOK_SECRET are set, and
    Gorgias when HANDOFF_GORGIAS_EMAIL, HANDOFF_GORGIAS_API_TOKEN and
    HANDOFF_GORGIAS_WEBHOOK_SECRET are; the sandbox refuses calls without them.
    Served by gunicorn in one process (the state is in memory), with keep-alive.
    """
    from connectors.sandbox.wsgi import build_app

    if webhook_url:
        os.environ["HANDOFF_SANDBOX_WEBHOOK_URL"] = webhook_url
    try:
        build_app()  # fail here, with the reason, rather than inside gunicorn
    except ConfigError as exc:
        _fail_config(exc)
    click.echo(f"sandbox helpdesk on http://{host}:{port}", err=True)
    # One process, because the helpdesk's state lives in its memory; threads for
    # concurrent callers, and keep-alive as a helpdesk's API has.
    argv = ["gunicorn", "--workers", "1", "--worker-class", "gthread", "--threads", "16",
            "--bind", f"{host}:{port}", "--keep-alive", "30", "--graceful-timeout", "5",
            *([] if quiet else ["--access-logfile", "-"]),
            "connectors.sandbox.wsgi:build_app()"]
    os.execv(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606 - fixed argv, no shell


@main.command()
@click.option("--samples", default="config/samples/tickets.jsonl", show_default=True,
              type=click.Path(exists=True, dir_okay=False))
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for all.")
@click.option("--stay", is_flag=True, help="Keep everything running (and /admin up) until Ctrl-C.")
def demo(samples: str, timeout: float, stay: bool) -> None:
    """Run everything on embedded defaults and print the decision for each sample.

    Starts the embedded Redis, the sandbox helpdesk, the receiver and a worker,
    creates the sample tickets, waits until each is processed and prints a table.
    Ctrl-C stops every child process.
    """
    from worker.demo import run_demo

    try:
        ok = run_demo(samples, timeout, stay)
    except ConfigError as exc:
        _fail_config(exc)
    except KeyboardInterrupt:
        click.echo("interrupted: every child process has been stopped", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(0 if ok else EXIT_FAILED)


main.add_command(failed)
main.add_command(install)
main.add_command(replay)
main.add_command(report)
main.add_command(escalations)
main.add_command(escalate)
main.add_command(simulate)
main.add_command(calibrate)
main.add_command(export)
main.add_command(learn)
main.add_command(policy)
policy.add_command(policy_test)
