"""Outgoing webhooks: each delivery runs in a background thread, with retries.

Like the real helpdesks, a delivery is retried on connection errors and 5xx
answers, keeping the same body, headers and invocation id. Every delivery is
recorded in the store with its final HTTP status, the number of attempts and
the receiver's answer, for ``GET /sandbox/deliveries``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.sandbox.state import Store, now

logger = logging.getLogger("connectors.sandbox.webhooks")


@dataclass(frozen=True)
class Outgoing:
    """One signed webhook, ready to send to ``webhook_url + path``."""

    platform: str
    ticket_id: str
    event: str
    path: str
    body: bytes
    headers: dict[str, str]
    invocation_id: str


class WebhookSender:
    """Sends `Outgoing` webhooks to the receiver at `base_url` (None: record only)."""

    def __init__(
        self, store: Store, base_url: str | None, *,
        backoff_seconds: Sequence[float] = (0.2, 0.5, 1.0), timeout_seconds: float = 10.0,
    ) -> None:
        self.store = store
        self.base_url = base_url.rstrip("/") if base_url else None
        self.backoff_seconds = tuple(backoff_seconds)
        self._client = httpx.Client(timeout=timeout_seconds)
        self._threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()

    def send(self, outgoing: Outgoing) -> dict[str, Any]:
        """Record the delivery and start sending it; return the record at once."""
        delivery = self.store.record_delivery({
            "platform": outgoing.platform,
            "ticket_id": outgoing.ticket_id,
            "event": outgoing.event,
            "invocation_id": outgoing.invocation_id,
            "url": f"{self.base_url}{outgoing.path}" if self.base_url else None,
            "created_at": now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "state": "pending",
            "status": None,
            "attempts": 0,
            "error": None,
            "response": None,
        })
        if self.base_url is None:
            self.store.update_delivery(delivery, state="skipped",
                                       error="the sandbox has no webhook_url")
            return delivery
        thread = threading.Thread(target=self._deliver, args=(delivery, outgoing),
                                  name=f"webhook-{delivery['id']}", daemon=True)
        with self._threads_lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()
        return delivery

    def wait_idle(self, timeout_seconds: float) -> bool:
        """Wait for the deliveries in flight; False if some are still running."""
        deadline = time.monotonic() + timeout_seconds
        with self._threads_lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in threads)

    def close(self) -> None:
        """Close the HTTP client; deliveries still in flight then fail."""
        self._client.close()

    def _deliver(self, delivery: dict[str, Any], outgoing: Outgoing) -> None:
        url = str(delivery["url"])
        for attempt, pause in enumerate((*self.backoff_seconds, None), start=1):
            status: int | None = None
            error: str | None = None
            answer: Any = None
            try:
                response = self._client.post(url, content=outgoing.body,
                                             headers=outgoing.headers)
            except httpx.HTTPError as exc:
                error = f"{exc.__class__.__name__}: {exc}"
            else:
                status, answer = response.status_code, _answer(response)
            retry = status is None or status >= 500
            if retry:
                state = "failed" if pause is None else "retrying"
            else:
                state = "delivered" if status is not None and status < 300 else "rejected"
            self.store.update_delivery(delivery, attempts=attempt, status=status, error=error,
                                       response=answer, state=state)
            if not retry or pause is None:
                break
            time.sleep(pause)
        logger.info("webhook %s %s for ticket %s: %s after %s attempt(s)",
                    outgoing.platform, outgoing.event, outgoing.ticket_id,
                    delivery["state"], delivery["attempts"])


def _answer(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return response.text[:500]
