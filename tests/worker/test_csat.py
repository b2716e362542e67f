"""The lead's CSAT (issue 19, 4): the SLA sweep reads the customers' ratings of solved
tickets from each helpdesk (the sandbox over real HTTP, in each platform's shape), and
the report sets AI-solved against human-solved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.admin_settings import ReportSettings
from infra.store import lead_report
from infra.store.decision_log import ticket_outcomes
from infra.store.escalations import Escalations
from tests.worker.helpdesks import PLATFORMS, ZD_EMAIL, ZD_TOKEN, Handoff, alerts, handoff, sandbox
from worker.sla_sweep import run_sla_sweep

__all__ = ["alerts", "handoff", "sandbox"]  # fixtures, imported for pytest

pytestmark = pytest.mark.db


def outcome(handoff: Handoff, platform: str, ticket_id: str) -> sa.Row[tuple[object, ...]]:
    table = ticket_outcomes
    with handoff.runtime.log.engine.connect() as connection:
        return connection.execute(sa.select(table).where(
            table.c.platform == platform, table.c.ticket_id == ticket_id)).one()


def rate(handoff: Handoff, platform: str, ticket_id: str, score: str) -> None:
    handoff.sandbox.post(f"/sandbox/history/{platform}/{ticket_id}",
                         json={"satisfaction": {"score": score}}).raise_for_status()


def report(handoff: Handoff, now: datetime) -> dict[str, object]:
    records = Escalations(handoff.runtime.log.engine)
    csat: dict[str, object] = lead_report.collect(
        records, now - timedelta(days=1), now + timedelta(days=2), ReportSettings(), now)["csat"]
    return csat


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_sweep_reads_the_rating_of_a_ticket_the_ai_solved(
    handoff: Handoff, platform: str,
) -> None:
    ticket_id = handoff.create(platform, "s-auto-track")
    handoff.deliver(platform, ticket_id)
    handoff.work()
    now = datetime.now(UTC)
    assert outcome(handoff, platform, ticket_id).is_solved

    run_sla_sweep(handoff.runtime, now)  # not rated yet: asked, and not again for a while
    unrated = outcome(handoff, platform, ticket_id)
    rate(handoff, platform, ticket_id, "good")
    run_sla_sweep(handoff.runtime, now + timedelta(hours=1))
    too_soon = outcome(handoff, platform, ticket_id)
    run_sla_sweep(handoff.runtime, now + timedelta(hours=13))

    assert (unrated.csat, unrated.csat_checked_at is not None) == (None, True)
    assert too_soon.csat is None
    assert outcome(handoff, platform, ticket_id).csat == "good"
    assert report(handoff, now)["ai"] == {"rated": 1, "good": 1, "score": 1.0}


def test_a_ticket_a_person_solved_counts_as_human_solved(handoff: Handoff) -> None:
    handoff.configure(group=None)
    ticket_id = handoff.create("zendesk", "s-refund")
    handoff.deliver("zendesk", ticket_id)
    handoff.work()
    handoff.sandbox.post(f"/sandbox/tickets/zendesk/{ticket_id}/comments",
                         json={"author": "agent", "body": "Refunded, sorry about that."})
    handoff.sandbox.put(f"/zendesk/api/v2/tickets/{ticket_id}.json",
                        json={"ticket": {"status": "solved"}},
                        auth=(f"{ZD_EMAIL}/token", ZD_TOKEN)).raise_for_status()
    rate(handoff, "zendesk", ticket_id, "bad")
    now = datetime.now(UTC)

    run_sla_sweep(handoff.runtime, now)  # sees it solved, then reads its rating

    assert outcome(handoff, "zendesk", ticket_id).csat == "bad"
    csat = report(handoff, now)
    assert csat["human"] == {"rated": 1, "good": 0, "score": 0.0}
    assert csat["ai"] == {"rated": 0, "good": 0, "score": None}


def test_a_helpdesk_error_is_asked_again_later_and_stops_nothing(handoff: Handoff) -> None:
    ticket_id = handoff.create("zendesk", "s-auto-track")
    handoff.deliver("zendesk", ticket_id)
    handoff.work()
    rate(handoff, "zendesk", ticket_id, "bad")  # Zendesk rates good or bad only
    handoff.fault(method="GET", path=rf"/tickets/{ticket_id}/metrics", status=503, times=1)
    now = datetime.now(UTC)

    run_sla_sweep(handoff.runtime, now)
    failed = outcome(handoff, "zendesk", ticket_id)
    run_sla_sweep(handoff.runtime, now + timedelta(hours=13))

    assert (failed.csat, failed.csat_checked_at is not None) == (None, True)
    assert outcome(handoff, "zendesk", ticket_id).csat == "bad"
