"""Prometheus metrics for the receiver and the workers.

With several processes (gunicorn workers, RQ workers) ``PROMETHEUS_MULTIPROC_DIR``
names a directory shared by them (`handoff serve` and `handoff worker` set it to
``$HANDOFF_HOME/metrics`` when it is unset: `worker.cli.serve.metrics_dir`); `render`
then gathers every process's figures, as prometheus-client's multiprocess mode
prescribes. Queue depth, the age of the
oldest queued job and the dead-letter count are read from Redis at scrape time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import redis
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from rq import Queue
from rq.registry import FailedJobRegistry

WEBHOOKS = Counter(
    "handoff_webhooks_total", "Webhook deliveries by answer.", ["platform", "status"]
)
DEDUPE_HITS = Counter(
    "handoff_dedupe_hits_total", "Deliveries dropped as duplicates.", ["platform"]
)
DECISIONS = Counter("handoff_decisions_total", "Decisions by path and primary reason.",
                    ["platform", "path", "reason"])
DECISION_SECONDS = Histogram(
    "handoff_decision_seconds", "Time to decide one ticket.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.5, 2.5),
)
ACTIONS = Counter("handoff_action_batches_total", "Batches of writes by outcome.",
                  ["platform", "outcome"])
HELPDESK_CALLS = Counter("handoff_helpdesk_calls_total", "Helpdesk API answers by status.",
                         ["platform", "status"])
RATE_LIMITED = Counter("handoff_helpdesk_429_total", "429 answers from a helpdesk.", ["platform"])
ESCALATED_MESSAGES = Counter(
    "handoff_escalated_messages_total",
    "Customer messages on tickets escalated to a person (the AI stayed out), by urgency.",
    ["platform", "urgent"])
HANDBACKS = Counter("handoff_handbacks_total", "Tickets handed back to the AI, by the way "
                    "an agent did it (tag or record).", ["platform", "via"])
REJECTED_WRITES = Counter(
    "handoff_rejected_writes_total", "Batches a helpdesk refused for good, by outcome: "
    "degraded (a fallback and its note stand) or failed (nothing written): alert on any.",
    ["platform", "path", "outcome"])


class QueueCollector(Collector):
    """Queue depth, age of the oldest queued job, and failed (dead-letter) jobs."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            depth = self.queue.count
            oldest = self.queue.get_jobs(0, 0)
            failed = FailedJobRegistry(queue=self.queue).count
        except redis.RedisError:
            return
        age = 0.0
        if oldest and oldest[0].enqueued_at is not None:
            age = max(0.0, time.time() - oldest[0].enqueued_at.timestamp())
        yield GaugeMetricFamily("handoff_queue_depth", "Jobs waiting.", value=depth)
        yield GaugeMetricFamily("handoff_queue_oldest_seconds", "Age of the oldest job.", value=age)
        yield GaugeMetricFamily("handoff_failed_jobs", "Jobs in the dead-letter registry: "
                                "alert when above zero.", value=failed)


def render(queue: Queue) -> bytes:
    """The exposition text for every process's metrics plus the queue gauges."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    at_scrape = CollectorRegistry()
    at_scrape.register(QueueCollector(queue))
    return generate_latest(registry) + generate_latest(at_scrape)
