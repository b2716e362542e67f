"""Chat models over HTTP (httpx, no vendor SDKs), for `core.llm.LLMScorer` and
``handoff policy edit``.

    HttpChat(provider, client)
        provider: OpenAIChat (any OpenAI-compatible ``/chat/completions`` endpoint)
                  or AnthropicMessages (``/v1/messages``), which shape the call;
        client:   an httpx.Client the caller builds once per process.

Failure: a timeout, a transport error, a non-2xx status or a response without the
provider's reply field raises `core.errors.ScorerError`; nothing from httpx leaks out.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from core.errors import ScorerError


class Provider(Protocol):
    """Builds one HTTP request for a chat model and extracts the reply text."""

    name: str

    def request(self, system: str, user: str) -> tuple[str, dict[str, str], dict[str, Any]]:
        """(path, headers, JSON body) of the call."""
        ...

    def text(self, payload: dict[str, Any]) -> str:
        """The model's reply text; raises KeyError, IndexError or TypeError when absent."""
        ...


class OpenAIChat:
    """An OpenAI-compatible chat completions endpoint (``POST {base}/chat/completions``)."""

    name = "openai"

    def __init__(self, model: str, api_key: str, max_tokens: int = 600) -> None:
        self.model, self._key, self.max_tokens = model, api_key, max_tokens

    def request(self, system: str, user: str) -> tuple[str, dict[str, str], dict[str, Any]]:
        body = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": system},
                         {"role": "user", "content": user}],
        }
        return "/chat/completions", {"Authorization": f"Bearer {self._key}"}, body

    def text(self, payload: dict[str, Any]) -> str:
        return str(payload["choices"][0]["message"]["content"])


class AnthropicMessages:
    """Anthropic's Messages API (``POST {base}/v1/messages``)."""

    name = "anthropic"
    version = "2023-06-01"

    def __init__(self, model: str, api_key: str, max_tokens: int = 600) -> None:
        self.model, self._key, self.max_tokens = model, api_key, max_tokens

    def request(self, system: str, user: str) -> tuple[str, dict[str, str], dict[str, Any]]:
        body = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "temperature": 0,
            "system": system,
            "messages": [{"role": "user", "content": user}],
        }
        headers = {"x-api-key": self._key, "anthropic-version": self.version}
        return "/v1/messages", headers, body

    def text(self, payload: dict[str, Any]) -> str:
        return "".join(
            str(block["text"]) for block in payload["content"] if block.get("type") == "text"
        )


def complete(provider: Provider, client: httpx.Client, system: str, user: str) -> str:
    """One chat call: the model's reply text.

    Raises ScorerError for a timeout, a transport error, a non-2xx status or a
    response without the provider's reply field; nothing from httpx leaks out.
    """
    path, headers, body = provider.request(system, user)
    try:
        response = client.post(path, headers=headers, json=body)
    except httpx.TimeoutException as exc:
        raise ScorerError(f"{provider.name}: timed out") from exc
    except httpx.HTTPError as exc:
        raise ScorerError(f"{provider.name}: {type(exc).__name__}") from exc
    if response.status_code >= 300:
        raise ScorerError(f"{provider.name}: HTTP {response.status_code}")
    try:
        return provider.text(response.json())
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ScorerError(f"{provider.name}: malformed reply ({type(exc).__name__})") from exc


class HttpChat:
    """A `core.llm.Chat` over `client`, with calls shaped by `provider`."""

    def __init__(self, provider: Provider, client: httpx.Client) -> None:
        self.name = provider.name
        self._provider, self._client = provider, client

    def complete(self, system: str, user: str) -> str:
        """See `complete`."""
        return complete(self._provider, self._client, system, user)
