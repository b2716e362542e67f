"""The one exception root of Handoff, split by what the caller does next.

    HandoffError
    ├── ConfigError              bad settings file or environment: stop at start-up
    ├── WebhookError             a delivery we refuse (the receiver maps it to a status)
    │   ├── SignatureError       401: bad, missing or stale signature or secret
    │   └── PayloadError         400: malformed body or a missing field
    ├── HelpdeskError            a helpdesk API call failed
    │   ├── TransientError       retry: timeout, 429, 5xx
    │   │   ├── RateLimited      429, carries the server's Retry-After
    │   │   └── ConflictError    409 on every try: the ticket kept changing under our writes
    │   └── PermanentError       drop or escalate: 401/403/404/409/422, bad response
    ├── ScorerError              the AI could not answer: the ticket escalates
    └── ProposalError            a model's proposed settings change is unusable: nothing is written

Library errors (httpx, redis, yaml) are translated into this tree where they cross
a package boundary, chained with ``raise ... from exc``.
"""

from __future__ import annotations


class HandoffError(Exception):
    """Root of every error Handoff raises on purpose."""


class ConfigError(HandoffError):
    """The settings are invalid; the message names the key, the value and the reason."""


class WebhookError(HandoffError):
    """A webhook delivery that must be refused; `status` is the HTTP answer."""

    status = 400


class SignatureError(WebhookError):
    """The delivery is not from who it claims to be."""

    status = 401


class PayloadError(WebhookError):
    """The delivery is authentic but its body cannot be used."""

    status = 400


class HelpdeskError(HandoffError):
    """A helpdesk API call failed; `status` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientError(HelpdeskError):
    """Worth retrying: the same call may succeed later; after `retry_after` seconds
    when the server said so (``Retry-After`` on a 503)."""

    def __init__(
        self, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class RateLimited(TransientError):
    """The helpdesk answered 429; wait `retry_after` seconds before the next call."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, status=429, retry_after=retry_after)
        self.retry_after: float = retry_after


class ConflictError(TransientError):
    """A conditional write (Zendesk ``safe_update``) met a newer ticket on every try,
    the ticket re-read in between; a later run of the job may find it quiet."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=409)


class PermanentError(HelpdeskError):
    """Retrying the same call cannot help."""


class ScorerError(HandoffError):
    """The scorer (local model or LLM provider) failed; the ticket must escalate."""


class ProposalError(HandoffError):
    """A plain-language policy edit's proposal (``handoff policy edit``) is not a usable
    change: malformed, touching a section it may not, or changing nothing."""
