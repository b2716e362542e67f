"""The Grafana dashboard (docs/grafana/handoff-dashboard.json) names only metrics and labels
that /metrics serves, and covers what an operator watches."""

from __future__ import annotations

import json
import re

import redis
from prometheus_client.metrics import MetricWrapperBase
from rq import Queue

from infra import metrics
from tests.conftest import ROOT

DASHBOARD = ROOT / "docs" / "grafana" / "handoff-dashboard.json"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def served(queue: Queue) -> dict[str, set[str]]:
    """Every series name /metrics can serve, with the labels it carries."""
    families = [family for wrapper in vars(metrics).values()
                if isinstance(wrapper, MetricWrapperBase) for family in wrapper.describe()]
    labels = {wrapper.describe()[0].name: set(wrapper._labelnames)
              for wrapper in vars(metrics).values() if isinstance(wrapper, MetricWrapperBase)}
    families += list(metrics.QueueCollector(queue).collect())
    names: dict[str, set[str]] = {}
    for family in families:
        for suffix in SUFFIXES[family.type]:
            names[family.name + suffix] = labels.get(family.name, set()) | (
                {"le"} if suffix == "_bucket" else set())
    return names


def test_every_metric_and_label_the_dashboard_names_exists(redis_conn: redis.Redis) -> None:
    names = served(Queue("handoff", connection=redis_conn))
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    assert exprs
    used: set[str] = set()
    for expr in exprs:
        in_expr = set(re.findall(r"\bhandoff_[a-z0-9_]+", expr))
        assert in_expr, expr
        assert in_expr <= set(names), (expr, in_expr - set(names))
        used |= in_expr
        known = set().union(*(names[name] for name in in_expr))
        grouped = {label.strip() for group in re.findall(r"by \(([^)]*)\)", expr)
                   for label in group.split(",")}
        selected = set(re.findall(r"([a-z_]+)!?=\"", expr))
        assert grouped | selected <= known, (expr, (grouped | selected) - known)
    watched = {"handoff_webhooks_total", "handoff_queue_depth", "handoff_queue_oldest_seconds",
               "handoff_decisions_total", "handoff_helpdesk_calls_total",
               "handoff_helpdesk_429_total", "handoff_failed_jobs",
               "handoff_decision_seconds_bucket"}
    assert watched <= used, watched - used
