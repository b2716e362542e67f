"""Group and agent names on escalation records (issue 19, 3: words people use), read from
each helpdesk's directory through the sandbox over real HTTP and kept in Redis."""

from __future__ import annotations

import pytest

from connectors.directory import name_in
from core.id_refs import IdKind
from infra.store.escalations import Escalations
from tests.worker.helpdesks import PLATFORMS, Handoff, alerts, handoff, sandbox
from worker.names import label

__all__ = ["alerts", "handoff", "sandbox"]  # fixtures, imported for pytest


def test_name_in_reads_each_helpdesk_shape() -> None:
    assert name_in({"group": {"id": 1, "name": "Billing"}}) == "Billing"  # Zendesk
    assert name_in({"id": 1, "name": " Billing "}) == "Billing"  # Freshdesk group, Gorgias
    assert name_in({"id": 7, "contact": {"name": "Sam Lee"}}) == "Sam Lee"  # Freshdesk agent
    assert name_in({"user": {"name": ""}}) is None
    assert name_in(["not", "an", "object"]) is None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_escalation_record_names_its_group(handoff: Handoff, platform: str) -> None:
    handoff.configure(group="360001")  # the sandbox's "Billing"
    ticket_id = handoff.create(platform, "s-refund")

    handoff.deliver(platform, ticket_id)
    handoff.work()

    [record] = Escalations(handoff.runtime.log.engine).list_open()
    assert record["agent"] == "Billing (group 360001)"


def test_a_name_is_looked_up_once_and_an_unknown_id_stays_plain(handoff: Handoff) -> None:
    runtime = handoff.configure(group=None)
    handoff.sandbox.delete("/sandbox/stats")

    first = label(runtime, "zendesk", IdKind.GROUP, "360002")
    again = label(runtime, "zendesk", IdKind.GROUP, "360002")
    unknown = label(runtime, "zendesk", IdKind.GROUP, "424242")

    assert (first, again) == ("Security (group 360002)", "Security (group 360002)")
    assert unknown == "group 424242"
    assert runtime.redis.ttl("handoff:name:zendesk:group:424242") <= 600
    routes = handoff.sandbox.get("/sandbox/stats").json()["zendesk"]["routes"]
    # One call for 360002 (the second label came from Redis), one for 424242.
    assert sum(n for route, n in routes.items() if "/groups/" in route) == 2


def test_a_helpdesk_error_leaves_the_plain_id(handoff: Handoff) -> None:
    runtime = handoff.configure(group=None)
    handoff.fault(method="GET", path=r"/groups/360003", status=503)

    assert label(runtime, "zendesk", IdKind.GROUP, "360003") == "group 360003"
