"""Signed but odd bodies get a 400 naming the problem, never a 500, on every platform.

The receiver runs the real connectors of the contract suite on a real Redis; each
body is signed (or carries the secret) the way its platform does.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.base import Connector
from core.settings import Settings
from receiver.app import create_app
from tests.connectors.platforms import PLATFORMS
from tests.connectors.support import Waits


@pytest.fixture(scope="module")
def connectors() -> dict[str, Connector]:
    return {name: platform.make(Waits()) for name, platform in PLATFORMS.items()}


@pytest.fixture
def client(redis_conn: redis.Redis, connectors: dict[str, Connector]) -> FlaskClient:
    return create_app(Settings(), redis_conn, connectors).test_client()


def post(client: FlaskClient, platform: str, body: bytes) -> Any:
    headers = {"Content-Type": "application/json", **PLATFORMS[platform].good_headers(body)}
    return client.post(f"/webhooks/{platform}", data=body, headers=headers)


def nested(depth: int) -> bytes:
    return b'{"ticket_id": "12", "extra": ' + b"[" * depth + b"]" * depth + b"}"


ODD_BODIES = {
    "nested 1,000 deep": (nested(1_000), "nested"),
    "nested 900 deep": (nested(900), "nested"),
    "a 4,400-digit ticket id": (b'{"ticket_id": 1' + b"0" * 4_400 + b"}", "digits"),
    "a 4,400-digit number elsewhere": (b'{"ticket_id": "12", "n": -' + b"7" * 4_400 + b"}",
                                       "digits"),
    "a lone surrogate": (b'{"ticket_id": "12", "note": "a\\ud800b"}', "surrogate"),
    "a lone surrogate in a key": (b'{"ticket_id": "12", "\\udfff": 1}', "surrogate"),
    "ticket id superscript two": ('{"ticket_id": "\u00b2"}'.encode(), "ticket_id"),
    "ticket id in Arabic-Indic digits": ('{"ticket_id": "\u0664\u0662"}'.encode(), "ticket_id"),
    "ticket id in full-width digits": ('{"ticket_id": "\uff14\uff12"}'.encode(), "ticket_id"),
}


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("case", sorted(ODD_BODIES))
def test_odd_body_gets_a_400_naming_the_problem(
    redis_conn: redis.Redis, client: FlaskClient, platform: str, case: str
) -> None:
    body, named = ODD_BODIES[case]
    response = post(client, platform, body)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert named in response.json["error"]
    assert redis_conn.llen("rq:queue:handoff") == 0


ODD_DIGITS = st.sampled_from(["\u00b2", "\u0663", "\uff13", "\u09e7", "\u2460", "0", "-1"])
# Every code point, lone surrogates included: json.dumps writes those as \udxxx escapes.
TEXT = st.text(st.characters(codec=None), max_size=20)
SCALARS = st.none() | st.booleans() | st.floats() | st.integers() | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
TICKET_IDS = (st.integers(min_value=-2, max_value=10**30) | st.integers().map(str)
              | ODD_DIGITS | ODD_DIGITS.map(lambda d: f"1{d}") | VALUES)
# The shapes each platform's parse_event reads, so the odd values reach it.
SHAPED = st.one_of(
    st.fixed_dictionaries({"ticket_id": TICKET_IDS},
                          optional={"comment_id": TICKET_IDS, "message_id": TICKET_IDS,
                                    "event": VALUES, "triggered_event": VALUES, "x": VALUES}),
    st.fixed_dictionaries({"freshdesk_webhook": st.fixed_dictionaries(
        {"ticket_id": TICKET_IDS}, optional={"triggered_event": VALUES})}),
    st.fixed_dictionaries({"ticket": st.fixed_dictionaries({"id": TICKET_IDS}),
                           "message": st.fixed_dictionaries({"id": TICKET_IDS})}),
    st.fixed_dictionaries({"type": st.sampled_from(["zen:event-type:ticket.comment_added", ""]),
                           "detail": st.fixed_dictionaries({"id": TICKET_IDS}),
                           "event": VALUES}),
    VALUES,
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A JSON body, sometimes spliced with a deep nest or a long run of digits."""
    text = json.dumps(draw(SHAPED), ensure_ascii=draw(st.booleans()))
    if text.startswith("{") and draw(st.booleans()):
        odd = draw(st.sampled_from(["nest", "digits"]))
        size = draw(st.integers(min_value=1, max_value=5_000))
        extra = "[" * size + "]" * size if odd == "nest" else "9" * size
        text = f'{{"odd": {extra}, {text[1:]}' if text != "{}" else f'{{"odd": {extra}}}'
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies())
def test_no_signed_body_gets_a_5xx(client: FlaskClient, body: bytes) -> None:
    for platform in sorted(PLATFORMS):
        response = post(client, platform, body)
        assert response.status_code < 500, (platform, body[:200], response.get_data()[:300])
        assert response.is_json
