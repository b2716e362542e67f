"""``handoff serve``, ``handoff worker`` and ``handoff sandbox``: the long-running processes."""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

import click

from worker.cli.base import export_env

# gunicorn's default access-log format with the basic-auth user name (%(u)s) left out:
# Freshdesk sends its API key there, and the other platforms an e-mail address.
ACCESS_LOG = ["--access-logfile", "-",
              "--access-logformat", '%(h)s %(l)s - %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"']
# Logging in the format HANDOFF_LOG_FORMAT names, for gunicorn's own lines too.
GUNICORN_CONFIG = ["--config", "python:infra.gunicorn_conf"]
METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger("handoff.sandbox")


def metrics_dir() -> str:
    """The directory where every receiver and worker process of this home writes its
    metrics (prometheus-client's multiprocess mode), so each scrape of /metrics sums them
    all: ``$PROMETHEUS_MULTIPROC_DIR``, else ``$HANDOFF_HOME/metrics``.

    Created if missing. The files of processes that have ended are removed, so a restart
    starts their counters again (a counter reset, to Prometheus) instead of adding every
    past process for ever. Raises OSError if the directory cannot be created.
    """
    from infra.redis_conn import handoff_home

    path = Path(os.environ.get(METRICS_ENV) or handoff_home() / "metrics")
    path.mkdir(parents=True, exist_ok=True)
    for file in path.glob("*.db"):
        pid = re.search(r"_(\d+)\.db$", file.name)
        if pid and not _running(int(pid[1])):
            file.unlink(missing_ok=True)
    return str(path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    return True


def receiver_workers() -> int:
    """`handoff serve`'s default number of gunicorn processes: one more than the cores."""
    return (os.cpu_count() or 1) + 1


# Threads per gunicorn process. A client that sends a webhook's headers and then its body
# byte by byte holds one thread until it finishes or hangs up; 3 such clients took down
# 3 sync workers. 32 per process keep /healthz answering with 20 of them held open, all
# on one process (bench/slow_clients.py); beyond that, a buffering proxy (docs/operations.md).
RECEIVER_THREADS = 32


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=receiver_workers, type=int,
              show_default="cores + 1", help="gunicorn processes.")
@click.option("--threads", default=RECEIVER_THREADS, show_default=True, type=int,
              help="Threads per process (gunicorn's gthread worker): each slow client holds "
                   "one. 1 runs the sync worker, which 3 slow clients stop: only behind a "
                   "buffering proxy.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the webhook receiver with gunicorn.

    The settings and the platforms' secrets are checked first: a bad configuration exits
    2 with the reason before gunicorn starts.
    """
    from connectors.registry import build_connectors
    from infra.config import load_settings

    build_connectors(load_settings())
    export_env(click.get_current_context(), METRICS_ENV, metrics_dir())
    server = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
    argv = [
        "gunicorn", *GUNICORN_CONFIG, "--workers", str(workers), *server,
        "--bind", f"{host}:{port}", *ACCESS_LOG, "--graceful-timeout", "10",
        "receiver.wsgi:build_app()",
    ]
    os.execv(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606 - fixed argv, no shell


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes, forked after the models are loaded once (they share "
                   "those pages); a process that exits is started again.")
def worker(burst: bool, processes: int) -> None:
    """Run RQ workers (in-process jobs: models load once per process, or once for all
    with --processes).

    Their metrics go to the directory `handoff serve` scrapes (`metrics_dir`).
    """
    if not os.environ.get(METRICS_ENV):
        # prometheus-client picks its storage when it is imported, which the command line
        # has done already: start again with the directory set.
        os.environ[METRICS_ENV] = metrics_dir()
        # --config and --log-format travel in the environment (HANDOFF_CONFIG, ..._LOG_FORMAT).
        verbose = ["-v"] if logging.getLogger().level == logging.DEBUG else []
        again = [sys.executable, "-m", "worker", *verbose, "worker",
                 *(["--burst"] if burst else []), "--processes", str(processes)]
        os.execv(sys.executable, again)  # noqa: S606 - fixed argv, no shell
    if processes == 1 or burst:
        run_worker(burst)
        return
    from infra.config import load_settings
    from infra.redis_conn import connect, embedded_url
    from worker.cli.pool import Pool
    from worker.runtime import preload
    from worker.scoring import build_scorer, warm_up, worker_knowledge

    if not os.environ.get("REDIS_URL"):
        # The parent owns the embedded server, so a child's death never stops it.
        os.environ["REDIS_URL"] = embedded_url(connect(os.environ))
    # The children encode one ticket at a time; the tokenizer's threads must not cross a fork.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = load_settings(env=os.environ)
    scorer = build_scorer(settings, worker_knowledge(settings))
    warm_up(scorer, settings)  # before the fork: the children share what it builds
    preload(scorer)
    sys.exit(Pool(processes, lambda: run_worker(burst=False, warm=False)).serve())


def run_worker(burst: bool, warm: bool = True) -> None:
    """Run one HandoffWorker in this process until it stops; `warm` first builds what a
    first decision would (`worker.scoring.warm_up`), unless a parent did before forking."""
    from rq.serializers import JSONSerializer

    from infra.queue import make_queue
    from worker.rq_worker import HandoffWorker
    from worker.runtime import current
    from worker.scoring import warm_up

    runtime = current()
    if warm:
        warm_up(runtime.scorer, runtime.settings)
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
        from worker.sla_sweep import schedule_sla_sweep

        schedule_sla_sweep(runtime)
    rq_worker.work(burst=burst, with_scheduler=not burst)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
@click.option("--webhook-url", envvar="HANDOFF_SANDBOX_WEBHOOK_URL",
              help="Receiver root to send webhooks to, e.g. http://127.0.0.1:8000.")
@click.option("--quiet", is_flag=True, help="Do not log each request.")
@click.option("--threads", default=16, show_default=True, type=click.IntRange(min=1),
              help="Concurrent API calls served (injected latency holds a thread).")
def sandbox(host: str, port: int, webhook_url: str | None, quiet: bool, threads: int) -> None:
    """Run the local sandbox helpdesk (in-memory, speaks the helpdesk APIs).

    Zendesk credentials come from HANDOFF_ZENDESK_EMAIL, HANDOFF_ZENDESK_API_TOKEN
    and HANDOFF_ZENDESK_SIGNING_SECRET; when none of the helpdesks' credentials is set,
    fresh ones for all three are made up and logged (the API user is
    handoff-demo@example.com). Freshdesk is played when
    HANDOFF_FRESHDESK_API_TOKEN and HANDOFF_FRESHDESK_WEBHOOK_SECRET are set, and
    Gorgias when HANDOFF_GORGIAS_EMAIL, HANDOFF_GORGIAS_API_TOKEN and
    HANDOFF_GORGIAS_WEBHOOK_SECRET are; the sandbox refuses calls without them.
    Served by gunicorn in one process (the state is in memory), with keep-alive.
    """
    from connectors.sandbox.wsgi import build_app
    from worker.cli.demo import demo_credentials

    made_up = demo_credentials()
    if not any(os.environ.get(name) for name in made_up):
        for name, value in made_up.items():
            export_env(click.get_current_context(), name, value)
        secrets = " ".join(f"{name}={value}" for name, value in made_up.items()
                           if not name.endswith("_EMAIL"))
        # The API user (DEMO_EMAIL) is left out: the log masks e-mail addresses.
        log.warning("no helpdesk credentials set; the sandbox accepts these (and the API "
                    "user `handoff sandbox --help` names): %s", secrets)
    if webhook_url:
        os.environ["HANDOFF_SANDBOX_WEBHOOK_URL"] = webhook_url
    build_app()  # fail here, with the reason, rather than inside gunicorn
    log.info("sandbox helpdesk on http://%s:%s", host, port)
    # One process, because the helpdesk's state lives in its memory; threads for
    # concurrent callers, and keep-alive as a helpdesk's API has.
    argv = ["gunicorn", *GUNICORN_CONFIG, "--workers", "1", "--worker-class", "gthread",
            "--threads", str(threads),
            "--bind", f"{host}:{port}", "--keep-alive", "30", "--graceful-timeout", "5",
            *([] if quiet else ACCESS_LOG),
            "connectors.sandbox.wsgi:build_app()"]
    os.execv(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606 - fixed argv, no shell
