"""Announce an escalation, writes the helpdesk refused, and again each urgent customer
message on a ticket already escalated (``escalation_message``), to Slack incoming
webhooks and generic webhooks.

Channels are named in ``aftercare.notify`` (per reason code or family, else
``default``); each name's URL is a secret, read from ``HANDOFF_NOTIFY_<NAME>``.
Refused writes go to the channels of reason ``write_rejected``, else those of the
decision's reasons, else ``default``.
Notifying never raises: a failure is logged and the ticket goes on, because a
chat message must never block a customer's escalation.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from core.aftercare import NotifySettings
from core.redact import mask
from core.text import unique
from infra.store.escalations import NewEscalation

log = logging.getLogger("worker.notify")

REJECTED = "write_rejected"


@dataclass(frozen=True)
class RejectedWrite:
    """Writes a helpdesk refused for good: what was not done, and what stands instead."""

    platform: str
    ticket_id: str
    ticket_url: str | None
    path: str
    reasons: tuple[str, ...]
    failure: str
    not_done: tuple[str, ...]
    written: str


def channels_for(settings: NotifySettings, reasons: tuple[str, ...]) -> tuple[str, ...]:
    """Channel names for the reasons: exact codes, then families, then `default`."""
    names: list[str] = []
    for code in reasons:
        names.extend(settings.by_reason.get(code, ()))
        names.extend(settings.by_reason.get(code.split(":", 1)[0], ()))
    return tuple(unique(names)) or settings.default


def message(new: NewEscalation) -> dict[str, Any]:
    """The generic webhook body: every field a receiver may want, customer text masked."""
    return {
        "event": new.event, "platform": new.platform, "ticket_id": new.ticket_id,
        "reason": new.reason, "severity": new.severity, "customer": new.customer,
        "summary": new.summary, "link": new.ticket_url, "agent": new.agent,
    }


def slack_text(new: NewEscalation) -> str:
    link = f"<{new.ticket_url}|{new.platform} #{new.ticket_id}>" if new.ticket_url else (
        f"{new.platform} #{new.ticket_id}")
    who = new.customer or "a customer"
    if new.event != "escalation":
        return (f":speech_balloon: *{new.severity}* new message on an escalated ticket "
                f"({new.reason}) from {who}: {new.summary} \u2014 {link}")
    return (f":rotating_light: *{new.severity}* escalation ({new.reason}) from {who}: "
            f"{new.summary} \u2014 {link}")


def notify(settings: NotifySettings, new: NewEscalation, env: Mapping[str, str],
           client: httpx.Client | None = None) -> int:
    """Post `new` to each configured channel; return how many accepted it. Never raises."""
    new_masked = NewEscalation(**{**new.__dict__, "customer": mask(new.customer or "") or None,
                                  "summary": mask(new.summary)})
    return _post(settings, channels_for(settings, new.reasons), slack_text(new_masked),
                 message(new_masked), env, client)


def alert_rejected(settings: NotifySettings, rejected: RejectedWrite, env: Mapping[str, str],
                   client: httpx.Client | None = None) -> int:
    """Post `rejected` to the channels of ``write_rejected`` (else of its reasons, else
    ``default``); return how many accepted it. The helpdesk's answer is masked, since
    it may quote the customer. Never raises."""
    failure = mask(rejected.failure)
    where = (f"<{rejected.ticket_url}|{rejected.platform} #{rejected.ticket_id}>"
             if rejected.ticket_url else f"{rejected.platform} #{rejected.ticket_id}")
    undone = "; ".join(rejected.not_done) or "nothing"
    text = (f":warning: Handoff could not write everything on {where} ({rejected.path}): "
            f"the helpdesk refused it ({failure}). Not done: {undone}. "
            f"Written instead: {rejected.written}.")
    body = {"event": REJECTED, "platform": rejected.platform, "ticket_id": rejected.ticket_id,
            "link": rejected.ticket_url, "path": rejected.path, "reasons": list(rejected.reasons),
            "failure": failure, "not_done": list(rejected.not_done),
            "written": rejected.written}
    names = channels_for(settings, (REJECTED,)) if REJECTED in settings.by_reason else (
        channels_for(settings, rejected.reasons))
    return _post(settings, names, text, body, env, client)


def _post(settings: NotifySettings, names: tuple[str, ...], text: str, body: dict[str, Any],
          env: Mapping[str, str], client: httpx.Client | None) -> int:
    if not names:
        return 0
    own = client is None
    http = client or httpx.Client(timeout=settings.timeout_seconds)
    delivered = 0
    try:
        for name in names:
            url = env.get(f"HANDOFF_NOTIFY_{name.upper()}")
            if not url:
                log.warning("notify channel %s has no URL: set HANDOFF_NOTIFY_%s", name,
                            name.upper())
                continue
            kind = settings.kinds.get(name, "slack")
            try:
                http.post(url, json={"text": text} if kind == "slack" else body
                          ).raise_for_status()
                delivered += 1
            except httpx.HTTPError as exc:
                log.warning("notify channel %s failed (ticket unaffected): %s", name,
                            type(exc).__name__)
    finally:
        if own:
            http.close()
    return delivered
