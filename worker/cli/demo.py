"""``handoff demo``: the whole system on embedded defaults, against the sandbox.

It needs no Redis server, no API key and no helpdesk account: an embedded Redis,
the sandbox helpdesk, the receiver (gunicorn) and one worker run as child
processes, the sample tickets are created in the sandbox (round robin over its
Zendesk, Freshdesk and Gorgias), and the decision for each is printed once every
ticket has been processed.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import httpx
import redis
import sqlalchemy as sa
import yaml
from rq import Worker
from rq.job import Job
from rq.serializers import JSONSerializer

from infra.config import BUNDLED, config_path, load_settings
from infra.redis_conn import embedded_url, handoff_home, start_embedded, stop_embedded
from infra.store.decision_log import database_url
from infra.store.escalations import Escalations
from worker.cli.base import EXIT_FAILED, EXIT_INTERRUPTED
from worker.cli.processes import ProcessGroup, free_port, wait_http

DEMO_EMAIL = "handoff-demo@example.com"
PLATFORMS = ("zendesk", "freshdesk", "gorgias")
FINAL_STATES = {"finished", "failed", "canceled", "stopped"}


@dataclass(frozen=True)
class Stack:
    """A running sandbox, receiver and worker(s), and the environment they share."""

    sandbox_url: str
    receiver_url: str
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)


@contextmanager
def running_stack(env: dict[str, str], home: Path, workers: int = 1) -> Iterator[Stack]:
    """Start the sandbox, the receiver and `workers` RQ workers against ``env["REDIS_URL"]``.

    Every child is stopped on exit. Raises RuntimeError if a child fails to come up.
    """
    sandbox_port, receiver_port = free_port(), free_port()
    stack = Stack(f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{receiver_port}", {
        **env,
        "HANDOFF_HOME": str(home),
        "HANDOFF_CONFIG": str(write_demo_config(home, f"http://127.0.0.1:{sandbox_port}", env)),
        **demo_credentials(),
        "HANDOFF_ADMIN_TOKEN": env.get("HANDOFF_ADMIN_TOKEN") or secrets.token_urlsafe(18),
    })
    with ProcessGroup(home / "logs") as group:
        sandbox = group.start("sandbox", ["sandbox", "--port", str(sandbox_port),
                                          "--webhook-url", stack.receiver_url], stack.env)
        receiver = group.start("receiver", ["serve", "--port", str(receiver_port),
                                            "--workers", "1"], stack.env)
        started = [group.start(f"worker-{number}", ["worker"], stack.env)
                   for number in range(workers)]
        # Bounds, not expectations: on a busy machine a process can take a minute to import.
        wait_http(f"{stack.sandbox_url}/sandbox/healthz", 120, sandbox)
        wait_http(f"{stack.receiver_url}/readyz", 120, receiver)
        wait_workers(redis.Redis.from_url(stack.env["REDIS_URL"]), started, 180)
        stack.processes.update(group.procs)
        yield stack


def wait_workers(
    connection: redis.Redis, procs: list[subprocess.Popen[bytes]], timeout: float
) -> None:
    """Wait until each worker process in `procs` has registered itself in Redis (rq does
    so just before it listens on the queue).

    Raises RuntimeError if one exits first or the deadline passes.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(proc.poll() is not None for proc in procs):
            raise RuntimeError("a worker exited while starting; see its log")
        registered = {worker.pid for worker in Worker.all(connection=connection)}
        if all(proc.pid in registered for proc in procs):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the workers did not register in Redis within {timeout:.0f}s")


def run_demo(samples_path: str, timeout: float, stay: bool = False) -> bool:
    """Run the demo; return True when every sample ticket was processed.

    Prints the admin page's address and token; with `stay`, keeps everything
    running until Ctrl-C so the page can be used.

    Raises ConfigError if the configuration or the samples are unusable.
    """
    samples = read_samples(Path(samples_path))
    env = dict(os.environ)
    home = handoff_home(env)
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = embedded_url(start_embedded(home / "demo"))
    try:
        with running_stack(env, home) as stack:
            click.echo(f"sandbox {stack.sandbox_url}, receiver {stack.receiver_url}, "
                       f"1 worker; logs in {home / 'logs'}")
            ok = process_samples(samples, stack.sandbox_url, env["REDIS_URL"], timeout)
            show_admin(stack, stay)
            return ok
    finally:
        stop_embedded(home / "demo")  # only if this process started it


def show_admin(stack: Stack, stay: bool) -> None:
    """Print where the admin page is and how many escalations wait there."""
    engine = sa.create_engine(database_url(stack.env))
    try:
        count = Escalations(engine).count_open()
    finally:
        engine.dispose()
    click.echo(f"admin page: {stack.receiver_url}/admin/ (token: "
               f"{stack.env['HANDOFF_ADMIN_TOKEN']}): {count} open escalation(s) to resolve "
               "or dismiss")
    if not stay:
        click.echo("run `handoff demo --stay` to keep the stack (and the admin page) up")
        return
    click.echo("everything keeps running; press Ctrl-C to stop")
    while all(proc.poll() is None for proc in stack.processes.values()):
        time.sleep(0.5)


def read_samples(path: Path) -> list[dict[str, Any]]:
    """Sample tickets in the canonical JSON-lines format.

    Raises OSError if the file cannot be read, DataError naming the first line that is
    not a JSON object.
    """
    from worker.cli.thresholds import every_row

    return every_row(str(path))


def demo_credentials() -> dict[str, str]:
    """Fresh API tokens and webhook secrets for the three sandbox platforms."""
    return {
        "HANDOFF_ZENDESK_EMAIL": DEMO_EMAIL,
        "HANDOFF_ZENDESK_API_TOKEN": secrets.token_urlsafe(24),
        "HANDOFF_ZENDESK_SIGNING_SECRET": secrets.token_urlsafe(32),
        "HANDOFF_FRESHDESK_API_TOKEN": secrets.token_urlsafe(24),
        "HANDOFF_FRESHDESK_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "HANDOFF_GORGIAS_EMAIL": DEMO_EMAIL,
        "HANDOFF_GORGIAS_API_TOKEN": secrets.token_urlsafe(24),
        "HANDOFF_GORGIAS_WEBHOOK_SECRET": secrets.token_urlsafe(32),
    }


def write_demo_config(home: Path, sandbox_url: str, env: dict[str, str]) -> Path:
    """The user's settings with all three platforms pointed at the sandbox.

    Raises ConfigError if the user's file is invalid.
    """
    source = config_path(env=env)
    settings = load_settings(source, env={})  # validates the user's file first
    raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    sandbox = {
        "zendesk": {"base_url": f"{sandbox_url}/zendesk/api/v2", "email": DEMO_EMAIL,
                    "ai_user_id": "900"},
        "freshdesk": {"base_url": f"{sandbox_url}/freshdesk/api/v2", "ai_user_id": "900"},
        "gorgias": {"base_url": f"{sandbox_url}/gorgias/api", "email": DEMO_EMAIL,
                    "ai_user_id": "900"},
    }
    # Tuning in the user's file (rate budgets, retries) stays; the address becomes the sandbox.
    own = raw.get("platforms") or {}
    raw["platforms"] = {name: {**(own.get(name) or {}), **where} for name, where in sandbox.items()}
    raw["knowledge_dir"] = str(settings.knowledge_dir.resolve())
    target = home / "demo-config.yaml"
    target.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return target


def process_samples(
    samples: list[dict[str, Any]], sandbox_url: str, redis_url: str, timeout: float
) -> bool:
    """Create each sample in the sandbox, wait for its job, print the table."""
    with httpx.Client(base_url=sandbox_url, timeout=10) as sandbox:
        created = create_samples(sandbox, samples)
        click.echo(f"created {len(created)} sample tickets; waiting for decisions")
        results = wait_for_jobs(sandbox, redis.Redis.from_url(redis_url), set(created), timeout)
        tickets = {str(t["ticket_id"]): t for t in sandbox.get("/sandbox/tickets").json()}
    print_table(created, results, tickets)
    failed = [tid for tid in created if results.get(tid, {}).get("status") != "finished"]
    if failed:
        click.echo(f"{len(failed)} ticket(s) not processed: {', '.join(sorted(failed))}", err=True)
    return not failed


def create_samples(
    sandbox: httpx.Client, samples: list[dict[str, Any]], platforms: tuple[str, ...] = PLATFORMS,
) -> dict[str, dict[str, Any]]:
    """Create the samples round robin over `platforms`; map each new ticket id to its
    sample, with the ``platform`` it went to (sandbox ticket ids are unique across them)."""
    created = {}
    for index, sample in enumerate(samples):
        placed = {**sample, "platform": platforms[index % len(platforms)]}
        body = {**placed, "external_id": sample["id"]}
        reply = sandbox.post("/sandbox/tickets", json=body).raise_for_status().json()
        created[str(reply["ticket_id"])] = placed
    return created


def wait_for_jobs(
    sandbox: httpx.Client, connection: redis.Redis, ticket_ids: set[str], timeout: float
) -> dict[str, dict[str, Any]]:
    """Poll until each ticket's job has ended; map ticket id to status and result."""
    results: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(results) < len(ticket_ids):
        for delivery in sandbox.get("/sandbox/deliveries").json():
            ticket_id = str(delivery.get("ticket_id"))
            job_id = (delivery.get("response") or {}).get("job_id")
            if ticket_id not in ticket_ids or ticket_id in results or not job_id:
                continue
            job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
            status = job.get_status(refresh=True)
            if status is not None and status.value in FINAL_STATES:
                results[ticket_id] = {"status": status.value, "result": job.return_value()}
        time.sleep(0.2)
    return results


def print_table(
    created: dict[str, dict[str, Any]],
    results: dict[str, dict[str, Any]],
    tickets: dict[str, dict[str, Any]],
) -> None:
    """One line per sample: path, confidence, reasons and what was written back."""
    rows = [("ticket", "platform", "path", "conf", "reasons", "written back")]
    for ticket_id, sample in created.items():
        outcome = results.get(ticket_id, {"status": "timed out"})
        result = outcome.get("result") or {}
        rows.append((
            f"{sample['id']} (#{ticket_id})",
            str(sample.get("platform", "zendesk")),
            result.get("path", outcome["status"]),
            f"{result['confidence']:.2f}" if "confidence" in result else "-",
            ", ".join(result.get("reasons", [])) or "-",
            written_back(tickets.get(ticket_id, {})),
        ))
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    for row in rows:
        click.echo("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=False))
                   + "  " + row[5])


def written_back(ticket: dict[str, Any]) -> str:
    """A compact account of the AI's writes on a sandbox ticket."""
    ai = [c for c in ticket.get("comments", []) if c.get("author") == "ai"]
    parts = [("reply" if c.get("public") else "note") for c in ai]
    parts.append(f"status={ticket.get('status')}")
    if ticket.get("group"):
        parts.append(f"group={ticket['group']}")
    handoff_tags = [t for t in ticket.get("tags", []) if t.startswith("handoff")]
    if handoff_tags:
        parts.append("tags=" + ",".join(handoff_tags))
    return " ".join(parts)


@click.command()
@click.option("--samples", default=str(BUNDLED / "samples" / "tickets.jsonl"),
              show_default="the bundled samples", type=click.Path(exists=True, dir_okay=False),
              help="Tickets in the canonical JSON-lines format.")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for all.")
@click.option("--stay", is_flag=True, help="Keep everything running (and /admin up) until Ctrl-C.")
def demo(samples: str, timeout: float, stay: bool) -> None:
    """Run everything on embedded defaults and print the decision for each sample.

    Starts the embedded Redis, the sandbox helpdesk, the receiver and a worker,
    creates the sample tickets, waits until each is processed and prints a table.
    Ctrl-C stops every child process.
    """
    try:
        ok = run_demo(samples, timeout, stay)
    except KeyboardInterrupt:
        click.echo("interrupted: every child process has been stopped", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(0 if ok else EXIT_FAILED)
