"""The sandbox's optional rate limit: 429 with Retry-After beyond the plan's calls."""

from __future__ import annotations

import base64

from flask.testing import FlaskClient

from connectors.sandbox import create_app

EMAIL, TOKEN = "handoff@sandbox.test", "sandbox-token"
BASIC = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
HEADERS = {"Authorization": f"Basic {BASIC}"}
ME = "/zendesk/api/v2/users/me.json"


def client() -> FlaskClient:
    app = create_app(webhook_url=None, zendesk_email=EMAIL, zendesk_api_token=TOKEN,
                     zendesk_signing_secret="secret")
    return app.test_client()


def get_me(sandbox: FlaskClient) -> int:
    return sandbox.get(ME, headers=HEADERS).status_code


def test_no_limit_until_one_is_set() -> None:
    sandbox = client()
    assert [get_me(sandbox) for _ in range(5)] == [200] * 5
    assert sandbox.get("/sandbox/rate-limits").json["rejected"] == {}


def test_calls_beyond_the_limit_get_429_until_it_is_lifted() -> None:
    sandbox = client()
    answer = sandbox.post("/sandbox/rate-limits",
                          json={"platform": "zendesk", "calls": 2, "per_seconds": 3600})
    assert answer.status_code == 201
    statuses = [get_me(sandbox) for _ in range(3)]
    assert statuses in ([200, 200, 429], [200, 429, 200])  # a window may turn over
    state = sandbox.get("/sandbox/rate-limits").json
    assert state["rejected"] == {"zendesk": 1}
    assert len(state["call_times"]["zendesk"]) == 3
    sandbox.delete("/sandbox/rate-limits")
    assert get_me(sandbox) == 200


def test_retry_after_is_the_time_to_the_next_window() -> None:
    sandbox = client()
    sandbox.post("/sandbox/rate-limits", json={"platform": "zendesk", "calls": 1,
                                               "per_seconds": 3600})
    get_me(sandbox)
    refused = sandbox.get(ME, headers=HEADERS)
    if refused.status_code == 429:
        assert 1 <= int(refused.headers["Retry-After"]) <= 3600


def test_bad_limit_is_400() -> None:
    assert client().post("/sandbox/rate-limits", json={"platform": "zendesk", "calls": 0,
                                                       "per_seconds": 60}).status_code == 400
