"""A group id the helpdesk refuses: what still reaches a person, per platform.

    .venv/bin/python bench/rejected_group.py [--redis-url URL]

Real processes (`handoff sandbox`, `handoff serve`, `handoff worker`, as `handoff demo`
starts them) with the shipped settings, except that every escalation is routed to group
999999, which no sandbox account has (`PUT /sandbox/groups`). Every escalating sample
ticket is created on each platform, so each sends its webhook; then, per platform:
deliveries the receiver acknowledged (202), decisions made (rows of the decision log),
jobs finished or failed (or not ended within 300 s), internal notes and customer
messages written, and refused-write alerts received by a generic notification webhook.
Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import redis
import sqlalchemy as sa
import yaml
from flask import Flask, request
from support import ROOT, machine, redis_server

from connectors.sandbox import BackgroundServer
from worker.cli.demo import PLATFORMS, read_samples, running_stack, wait_for_jobs

UNKNOWN_GROUP = "999999"
KNOWN_GROUPS = [360001, 360002, 360003, 360004]
ROWS = ("deliveries acknowledged (202)", "decisions made", "jobs finished", "jobs failed",
        "notes written",
        "customer messages", "refused-write alerts", "escalation notifications",
        "tickets in the unknown group")


def alert_sink() -> tuple[Flask, list[dict[str, Any]]]:
    received: list[dict[str, Any]] = []
    app = Flask("alerts")

    @app.post("/hook")
    def hook() -> tuple[str, int]:
        received.append(request.get_json(force=True))
        return "", 204

    return app, received


def settings(home: Path) -> Path:
    config = yaml.safe_load((ROOT / "config" / "handoff.yaml").read_text())
    config["routing"] = {"default": {"group": UNKNOWN_GROUP, "priority": "high"}}
    config["aftercare"] = {**(config.get("aftercare") or {}),
                           "notify": {"default": ["ops"], "kinds": {"ops": "webhook"}}}
    config["knowledge_dir"] = str(ROOT / "config" / "knowledge")
    path = home / "rejected-group.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def measure(redis_url: str) -> dict[str, Counter[str]]:
    samples = [s for s in read_samples(ROOT / "config" / "samples" / "tickets.jsonl")
               if s["labels"]["expect_path"] == "escalate"]
    app, alerts = alert_sink()
    figures: dict[str, Counter[str]] = {p: Counter() for p in PLATFORMS}
    with tempfile.TemporaryDirectory() as tmp, BackgroundServer(app) as sink:
        home = Path(tmp)
        env = {"REDIS_URL": redis_url, "PATH": "/usr/bin:/bin",
               "HANDOFF_CONFIG": str(settings(home)), "HANDOFF_NOTIFY_OPS": f"{sink.url}/hook"}
        with running_stack(env, home) as stack, httpx.Client(base_url=stack.sandbox_url,
                                                             timeout=10) as sandbox:
            for platform in PLATFORMS:
                sandbox.put(f"/sandbox/groups/{platform}",
                            json={"ids": KNOWN_GROUPS}).raise_for_status()
            created: dict[str, str] = {}
            for platform in PLATFORMS:
                for sample in samples:
                    answer = sandbox.post("/sandbox/tickets", json={
                        **sample, "platform": platform, "external_id": sample["id"]})
                    created[str(answer.raise_for_status().json()["ticket_id"])] = platform
            jobs = wait_for_jobs(sandbox, redis.Redis.from_url(redis_url), set(created), 300)
            time.sleep(1)  # the last alert is posted after its job's last write
            for delivery in sandbox.get("/sandbox/deliveries").json():
                platform = created.get(str(delivery.get("ticket_id")))
                if platform and delivery.get("status") == 202:
                    figures[platform]["deliveries acknowledged (202)"] += 1
            engine = sa.create_engine(f"sqlite:///{home / 'decisions.db'}")
            with engine.connect() as db:
                for platform, in db.execute(sa.text("SELECT platform FROM decisions")):
                    figures[platform]["decisions made"] += 1
            engine.dispose()
            for ticket_id, platform in created.items():
                status = jobs.get(ticket_id, {}).get("status", "not ended")
                figures[platform][f"jobs {status}"] += 1
                ticket = sandbox.get(f"/sandbox/tickets/{platform}/{ticket_id}").json()
                for comment in ticket["comments"]:
                    if comment["author"] == "ai":
                        kind = "customer messages" if comment["public"] else "notes written"
                        figures[platform][kind] += 1
                if ticket["group"] == UNKNOWN_GROUP:
                    figures[platform]["tickets in the unknown group"] += 1
    for body in alerts:
        if body.get("event") == "write_rejected":
            figures[body["platform"]]["refused-write alerts"] += 1
        elif body.get("event") == "escalation":
            figures[body["platform"]]["escalation notifications"] += 1
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", help="a Redis to use (default: a private redis-server)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the sink's access log
    print(machine())
    if args.redis_url:
        figures = measure(args.redis_url)
    else:
        with redis_server() as url:
            figures = measure(url)
    rows = [*ROWS, *sorted({r for c in figures.values() for r in c} - set(ROWS))]
    print(f"{'':34}" + "".join(f"{p:>11}" for p in PLATFORMS))
    for row in rows:
        print(f"{row:34}" + "".join(f"{figures[p][row]:>11}" for p in PLATFORMS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
