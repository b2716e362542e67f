"""`handoff install zendesk` against the sandbox helpdesk over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from connectors.sandbox import BackgroundServer, create_app
from worker.cli import main
from worker.cli.processes import free_port

EMAIL = "handoff@sandbox.test"
TOKEN = "sandbox-token"
SECRET = "sandbox-signing-secret"
PUBLIC_URL = "https://handoff.example.com"


@pytest.fixture
def sandbox() -> Iterator[str]:
    app = create_app(webhook_url=None, zendesk_email=EMAIL, zendesk_api_token=TOKEN,
                     zendesk_signing_secret=SECRET)
    with BackgroundServer(app) as server:
        yield server.url


def config(tmp_path: Path, sandbox: str) -> Path:
    path = tmp_path / "handoff.yaml"
    path.write_text(f"platforms:\n  zendesk:\n    base_url: {sandbox}/zendesk/api/v2\n"
                    f"    email: {EMAIL}\n")
    return path


def install(path: Path, token: str = TOKEN, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["install", "zendesk", "--public-url", PUBLIC_URL, "--config", str(path), *args],
        env={"HANDOFF_ZENDESK_API_TOKEN": token, "HANDOFF_ZENDESK_SIGNING_SECRET": ""},
    )
    return result.exit_code, result.stdout, result.stderr


def listed(sandbox: str, what: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{sandbox}/zendesk/api/v2/{what}.json", auth=(f"{EMAIL}/token", TOKEN))
    answer.raise_for_status()
    return list(answer.json()[what])


def posts(sandbox: str) -> dict[str, int]:
    routes = httpx.get(f"{sandbox}/sandbox/stats").json().get("zendesk", {}).get("routes", {})
    return {route: n for route, n in routes.items() if route.startswith("POST")}


def test_first_run_creates_one_webhook_and_two_triggers_second_run_nothing(
    tmp_path: Path, sandbox: str
) -> None:
    path = config(tmp_path, sandbox)

    code, out, _ = install(path)
    assert code == 0, out
    assert f"HANDOFF_ZENDESK_SIGNING_SECRET={SECRET}" in out
    assert out.count("created: ") == 3
    webhooks, triggers = listed(sandbox, "webhooks"), listed(sandbox, "triggers")
    assert [w["endpoint"] for w in webhooks] == [f"{PUBLIC_URL}/webhooks/zendesk"]
    assert len(triggers) == 2  # new ticket or customer comment; the next-level tag
    for trigger in triggers:
        assert trigger["actions"][0]["value"][0] == webhooks[0]["id"]
        # The API user is the AI (sandbox user 900): its own updates must not fire it.
        assert {"field": "current_user", "operator": "is_not", "value": "900"} in (
            trigger["conditions"]["all"])

    code, out, _ = install(path)
    assert code == 0, out
    assert "created: " not in out
    assert out.count("found:   ") == 3
    assert "nothing created" in out
    assert posts(sandbox) == {"POST /webhooks": 1, "POST /triggers": 2}
    assert len(listed(sandbox, "webhooks")) == 1
    assert len(listed(sandbox, "triggers")) == 2


def test_a_refused_token_exits_1_with_the_message(tmp_path: Path, sandbox: str) -> None:
    code, out, err = install(config(tmp_path, sandbox), "wrong-token")
    assert code == 1
    assert "install failed" in err
    assert "401" in err
    assert SECRET not in out


def test_a_missing_api_token_exits_2(tmp_path: Path, sandbox: str) -> None:
    code, _, err = install(config(tmp_path, sandbox), "")
    assert code == 2
    assert "HANDOFF_ZENDESK_API_TOKEN" in err


def test_an_unconfigured_platform_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "handoff.yaml"
    path.write_text("platforms: {}\n")
    code, _, err = install(path)
    assert code == 2
    assert "not configured" in err


def test_a_public_url_that_is_not_http_is_a_usage_error(tmp_path: Path, sandbox: str) -> None:
    result = CliRunner().invoke(main, ["install", "zendesk", "--public-url", "handoff.local",
                                       "--config", str(config(tmp_path, sandbox))])
    assert result.exit_code == 2


def test_an_install_whose_test_delivery_fails_exits_4(tmp_path: Path) -> None:
    app = create_app(webhook_url=None, zendesk_email=EMAIL, zendesk_api_token=TOKEN,
                     zendesk_signing_secret=SECRET, gorgias_email=EMAIL,
                     gorgias_api_token=TOKEN, gorgias_webhook_secret="gorgias-secret")
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens: the delivery cannot land
    with BackgroundServer(app) as server:
        path = tmp_path / "handoff.yaml"
        path.write_text(f"platforms:\n  gorgias:\n    base_url: {server.url}/gorgias/api\n"
                        f"    email: {EMAIL}\n    ai_user_id: '900'\n")
        result = CliRunner().invoke(
            main, ["install", "gorgias", "--public-url", nowhere, "--config", str(path)],
            env={"HANDOFF_GORGIAS_API_TOKEN": TOKEN,
                 "HANDOFF_GORGIAS_WEBHOOK_SECRET": "gorgias-secret"})
    assert result.exit_code == 4, result.output
    assert "test delivery" in result.stdout
    assert "did not accept the test delivery" in result.stderr
