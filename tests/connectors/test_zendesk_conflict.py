"""Zendesk ``safe_update`` conflicts (409): re-read the ticket, retry the batch, never post twice.

respx at the transport with the reference's shapes: the 409 body is Zendesk's
``UpdateConflict`` error, the re-read is the audits listing `get_ticket` uses.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
import respx

from core.errors import ConflictError, TransientError
from core.models import AddTags, PublicReply, SetStatus, Status
from tests.connectors import fixtures_zendesk as fx
from tests.connectors.support import ZENDESK_AUTH as AUTH
from tests.connectors.support import serve_audits
from tests.connectors.support import zendesk_connector as connector

PUT = f"/tickets/{fx.TICKET_ID}.json"
CONFLICT = {"error": "UpdateConflict",
            "description": "Safe Update prevented the update due to outdated ticket data. "
                           "Please fetch the latest ticket data and try again."}
REPLY = "It ships today."
BATCH = (PublicReply(body=REPLY), AddTags(tags=("handoff_auto_resolved",)),
         SetStatus(status=Status.SOLVED))


def bodies(route: respx.Route) -> list[dict[str, Any]]:
    sent = []
    for call in route.calls:
        assert call.request.headers["Authorization"] == AUTH
        sent.append(json.loads(call.request.content)["ticket"])
    return sent


def changed_meanwhile() -> dict[str, Any]:
    """The ticket after someone else added a tag: a newer ``updated_at``."""
    fresh = copy.deepcopy(fx.TICKET)
    fresh.update(tags=["shipping", "order", "agent_touched"], updated_at="2024-05-02T09:35:00Z")
    return fresh


def test_a_409_rereads_the_ticket_and_retries_with_the_fresh_stamp(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any,
) -> None:
    put = zendesk_api.put(PUT).mock(side_effect=[httpx.Response(409, json=CONFLICT),
                                                 httpx.Response(200, json={"ticket": fx.TICKET})])
    audits = serve_audits(zendesk_api, fx.THREAD, size=100, ticket=changed_meanwhile())

    connector().apply(zendesk_ticket, BATCH)

    assert audits.call_count == 1
    first, second = bodies(put)
    assert first["updated_stamp"] == "2024-05-02T09:30:00Z"
    assert second["updated_stamp"] == "2024-05-02T09:35:00Z"
    assert second["safe_update"] is True
    # The other writer's tag survives: the merged list is built from the fresh ticket.
    assert second["tags"] == ["shipping", "order", "agent_touched", "handoff_auto_resolved"]
    assert second["comment"] == first["comment"] == {"html_body": f"<p>{REPLY}</p>",
                                                     "public": True}
    assert second["status"] == "solved"


def test_a_409_after_our_own_write_landed_does_not_post_again(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any,
) -> None:
    # The first PUT lands but its answer is lost; the retry then meets our own new stamp.
    put = zendesk_api.put(PUT).mock(side_effect=[httpx.ReadTimeout("lost answer"),
                                                 httpx.Response(409, json=CONFLICT)])
    landed = fx.comment(1008, fx.AI_USER_ID, REPLY, channel="api")
    serve_audits(zendesk_api, [*fx.THREAD, landed], size=100, ticket=changed_meanwhile())

    connector().apply(zendesk_ticket, BATCH)

    assert put.call_count == 2
    assert [b.get("comment") for b in bodies(put)].count(None) == 0
    assert len(zendesk_api.calls) == 3  # two PUTs and the one re-read, no third PUT


def test_repeated_409s_end_in_a_clear_error_after_bounded_tries(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any,
) -> None:
    put = zendesk_api.put(PUT).respond(409, json=CONFLICT)
    audits = serve_audits(zendesk_api, fx.THREAD, size=100, ticket=changed_meanwhile())

    with pytest.raises(ConflictError) as raised:
        connector().apply(zendesk_ticket, BATCH)

    error = raised.value
    assert isinstance(error, TransientError)  # the job may try again later, not dead-lettered
    assert error.status == 409
    assert f"ticket {fx.TICKET_ID}" in str(error)
    assert "3 tries" in str(error)
    assert put.call_count == 3
    assert audits.call_count == 2  # re-read between tries, not after the last one
