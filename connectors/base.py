"""The connector contract and the HTTP plumbing every connector shares.

A connector is one class per helpdesk subpackage that satisfies `Connector`: a
`WebhookSource` for the receiver, a `Helpdesk` for the worker, an `Installer` for
``handoff install``, and it holds its `TicketExport` and `Directory` parts as members
(``export``, ``directory``) for ``handoff export`` and ``handoff check-config --online``.
Each caller is typed against the narrow protocol it uses.
`HttpConnector` holds the shared plumbing: one injected `httpx.Client`, the
translation of HTTP failures into the `core.errors` tree, and tenacity retries on
transient failures only (timeouts, connection errors, 429 honouring
``Retry-After``, any 5xx).

Retry budget, written down so the two layers do not multiply unnoticed:

- tenacity, per API call: at most `max_attempts` tries (settings
  ``platforms.<name>.max_attempts``, default 4) with jittered exponential
  backoff capped at `max_backoff_seconds`, and never more than
  `max_total_wait_seconds` (default 30 s) of waiting in total, time spent
  waiting for the rate budget included. A ``Retry-After`` or a budget wait
  beyond that raises RateLimited at once instead of sleeping.
- rq, per job, on transient errors only: ``queue.retry_intervals_seconds``
  (default 10, 60, 300 s), so a job runs at most ``1 + len(intervals)`` = 4 times.
  A PermanentError is tried once here and fails its job at once
  (``worker.effects.failures``).

So one API call is sent at most ``max_attempts * (1 + len(intervals))`` = 16
times, and one job waits inside connectors at most 30 s per call; keep
``queue.job_timeout_seconds`` (120 s) above the waits of the calls one job makes
in a row. Every try, retries included, first takes a slot from the optional
rate budget (`connectors.ratelimit`) shared by all workers, and each response's
rate-limit headers are reported back to it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)
from tenacity.stop import stop_base

from connectors.directory import Directory
from core.errors import ConfigError, PermanentError, RateLimited, TransientError
from core.history import TicketHistory
from core.knowledge import KnowledgeDoc
from core.models import Action, Ticket, TicketBrief, TicketEvent
from core.settings import PlatformSettings

if TYPE_CHECKING:
    from connectors.ratelimit import CallBudget

SettingsT = TypeVar("SettingsT", bound=PlatformSettings)


class HeaderItems(Protocol):
    """Request headers: a dict, an httpx or werkzeug ``Headers``, anything with `items`.

    Connectors compare header names case-insensitively whatever the source.
    """

    def items(self) -> Iterable[tuple[str, str]]: ...


class WebhookSource(Protocol):
    """What the receiver needs from a helpdesk: check a delivery and read it."""

    name: ClassVar[str]

    def verify(self, headers: HeaderItems, raw_body: bytes) -> None:
        """Authenticate a webhook delivery; raise SignatureError if it is not genuine."""

    def parse_event(self, headers: HeaderItems, body: Any) -> TicketEvent:
        """Turn a decoded delivery into an event; raise PayloadError if unusable."""


class Helpdesk(Protocol):
    """What the worker needs from a helpdesk: read a ticket, write a decision, read the
    knowledge the scorer answers from."""

    name: ClassVar[str]

    def get_ticket(self, ticket_id: str) -> Ticket:
        """Load the whole ticket; raise TransientError or PermanentError on failure."""

    def apply(self, ticket: Ticket, actions: Sequence[Action]) -> None:
        """Write `actions` back in as few calls as the API allows.

        `actions` holds at most one comment (reply or note); either every write
        of the batch is confirmed or an error is raised.
        """

    def list_knowledge(self) -> list[KnowledgeDoc]:
        """Help-center articles and macros or canned responses, every page.

        Raises TransientError or PermanentError on failure.
        """

    def requester_tickets(self, ticket: Ticket, limit: int) -> list[TicketBrief]:
        """The requester's other tickets, most recently updated first, at most `limit`
        and never `ticket` itself, in one call (the handoff note's customer record).

        Raises TransientError or PermanentError on failure.
        """


class TicketExport(Protocol):
    """What ``handoff export`` needs from a helpdesk: list tickets, tell their history."""

    def list_tickets(
        self, since: datetime, cursor: str | None = None, page_size: int = 100
    ) -> Iterator[TicketPage]:
        """Pages of the ids of tickets updated since `since`, from `cursor` (None: the start).

        Each page carries the cursor of the page after it, so an export can stop
        and resume there. Raises TransientError or PermanentError when a call
        fails (PermanentError too for a cursor the helpdesk no longer accepts).
        """

    def count_tickets(self, since: datetime) -> int | None:
        """About how many tickets `list_tickets` will give (for a progress bar's ETA);
        None when the helpdesk cannot tell. Raises TransientError or PermanentError.
        """

    def ticket_history(self, ticket_id: str) -> TicketHistory:
        """What the helpdesk tells of the ticket's course (reopens, reassignments) and its
        satisfaction rating; None where it does not tell.

        Raises TransientError or PermanentError when a call fails.
        """


class Installer(Protocol):
    """What ``handoff install`` needs from a helpdesk."""

    def install(self, public_url: str) -> InstallReport:
        """Register our webhook with the helpdesk; a second run creates nothing.

        Raises PermanentError when the helpdesk refuses (for example missing rights).
        """


class ExportSource(Helpdesk, Protocol):
    """What ``handoff export`` reads through: the helpdesk's tickets, and its `export`
    part for the listing and the histories."""

    @property
    def export(self) -> TicketExport: ...


class Connector(WebhookSource, ExportSource, Installer, Protocol):
    """What the registry builds for one helpdesk account: every role above, and the
    `directory` part ``handoff check-config --online`` reads through.

    Callers type against the narrow protocol they use, not this one.
    """

    @property
    def directory(self) -> Directory: ...


@dataclass(frozen=True)
class TicketPage:
    """One page of `TicketExport.list_tickets`: ticket ids, oldest change first where the
    helpdesk orders so, and `next_cursor`, where the page after this one starts
    (None on the last page)."""

    ids: tuple[str, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class InstallReport:
    """What `Installer.install` found, made, and left for an admin to do by hand.

    `secrets` maps environment variable names to values the admin must store
    (for example ``HANDOFF_ZENDESK_SIGNING_SECRET``); it is kept out of `repr`
    so a logged report never shows them.
    """

    created: tuple[str, ...] = ()
    existing: tuple[str, ...] = ()
    instructions: str = ""
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    # False when a test delivery to the receiver failed or was refused; None when none was sent.
    delivered: bool | None = None


OPTIONAL_WAIT_SECONDS = 1.0
"""How long an optional call may wait for a slot of the rate budget (a paced budget
spaces calls a fraction of a second apart)."""


class HttpConnector:
    """Shared plumbing: send a request, translate failures, retry transient ones.

    `max_attempts` and `max_total_wait_seconds` default to the class values;
    pass the account's settings. Without a `budget` calls go out unmetered
    (unit tests; the worker always passes one).
    """

    max_attempts: int = 4
    max_backoff_seconds: ClassVar[float] = 8.0
    max_total_wait_seconds: float = 30.0

    def __init__(
        self,
        *,
        client: httpx.Client,
        sleep: Callable[[float], None] = time.sleep,
        budget: CallBudget | None = None,
        max_attempts: int | None = None,
        max_total_wait_seconds: float | None = None,
    ) -> None:
        self.client = client
        self._sleep = sleep
        self.budget = budget
        if max_attempts is not None:
            self.max_attempts = max_attempts
        if max_total_wait_seconds is not None:
            self.max_total_wait_seconds = max_total_wait_seconds

    def request(
        self, method: str, url: str, *, endpoint_budget: CallBudget | None = None,
        optional: bool = False, **kwargs: Any,
    ) -> httpx.Response:
        """Send one API call with retries; return the successful response.

        `endpoint_budget` (from ``budget.endpoint``) meters an endpoint with a
        lower limit of its own, on top of the account's budget. `optional` marks a call
        the job can do without (the handoff note's customer record): one try, and at
        most `OPTIONAL_WAIT_SECONDS` of waiting for the rate budget, so it delays the job
        by little more than its own round trip. Raises RateLimited or TransientError
        once the retry budget is spent (RateLimited too when a rate budget has no slot
        within the wait budget), and PermanentError at once for any other 4xx or an
        unusable response.
        """
        attempts, waits = self.max_attempts, self.max_total_wait_seconds
        if optional:
            attempts, waits = 1, min(OPTIONAL_WAIT_SECONDS, waits)
        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(attempts) | _StopOverBudget(waits),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        # Waits for the rate budget count against the same total as retry waits.
        deadline = time.monotonic() + waits
        return retrying(self._send_once, method, url, deadline, endpoint_budget, **kwargs)

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, TransientError) and error.retry_after is not None:
            return error.retry_after
        # 0.5 s doubling, plus up to 1 s of jitter, capped (as tenacity's
        # wait_exponential_jitter, whose `initial` argument newer releases deprecate).
        backoff = 0.5 * 2.0 ** (state.attempt_number - 1) + random.uniform(0, 1)
        return min(self.max_backoff_seconds, backoff)

    def _send_once(
        self, method: str, url: str, deadline: float, endpoint_budget: CallBudget | None,
        **kwargs: Any,
    ) -> httpx.Response:
        # The scarcer endpoint slot first, so no account slot is held while waiting for it.
        for budget in (endpoint_budget, self.budget):
            if budget is not None:
                budget.acquire(max(0.0, deadline - time.monotonic()))
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientError(f"{method} {url}: timed out") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{method} {url}: {exc.__class__.__name__}: {exc}") from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # Decoding errors, redirect loops, bad URLs: the same call fails again.
            raise PermanentError(f"{method} {url}: {exc.__class__.__name__}: {exc}") from exc
        status = response.status_code
        if self.budget is not None:
            self.budget.observe(response.headers, rate_limited=status == 429)
        if response.is_success:
            return response
        detail = f"{method} {url}: HTTP {status}: {response.text[:300]}"
        if status == 429:
            raise RateLimited(detail, retry_after=retry_after_seconds(response.headers))
        # Every 5xx is worth another try: helpdesks answer 500 for passing faults too.
        if status >= 500:
            hinted = response.headers.get("retry-after")
            wait = retry_after_seconds(response.headers) if hinted is not None else None
            raise TransientError(detail, status=status, retry_after=wait)
        raise PermanentError(detail, status=status)

    def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        """`request`, then `json`: the decoded answer. Raises as those two do."""
        return self.json(self.request(method, url, **kwargs))

    @staticmethod
    def json(response: httpx.Response) -> Any:
        """Decode a JSON response; raise PermanentError if the body is not JSON."""
        try:
            return response.json()
        except ValueError as exc:
            raise PermanentError(
                f"{response.request.method} {response.request.url}: response is not JSON",
                status=response.status_code,
            ) from exc


class _StopOverBudget(stop_base):
    """Stop when the time spent plus the coming wait reaches the budget.

    Unlike ``stop_after_delay`` this counts the coming wait, so a Retry-After
    beyond the budget raises RateLimited at once instead of sleeping past the
    job's timeout.
    """

    def __init__(self, budget_seconds: float) -> None:
        self.budget_seconds = budget_seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        elapsed = retry_state.seconds_since_start or 0.0
        return elapsed + retry_state.upcoming_sleep >= self.budget_seconds


def retry_after_seconds(headers: Mapping[str, str], default: float = 1.0) -> float:
    """Seconds to wait from a ``Retry-After`` header (any capitalisation).

    httpx headers are case-insensitive, which covers Gorgias' ``Retry-after``.
    A missing or unreadable value gives `default`.
    """
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default


def utc_now() -> datetime:
    """The current time in UTC (the default clock of every connector)."""
    return datetime.now(UTC)


class AccountConnector(HttpConnector, Generic[SettingsT]):
    """`HttpConnector` for one helpdesk account: what every platform's class shares.

    It keeps the account's settings, the replay window for webhook timestamps, the
    clock (injectable for tests) and our own API user's id when configured, and
    builds the account's `httpx.Client`. Subclasses declare `name` and
    `basic_auth`, and build their parts (``export``, ``directory``, each handed
    this connector as its `http`) in `_prepare`.
    """

    name: ClassVar[str]

    def __init__(
        self,
        *,
        settings: SettingsT,
        client: httpx.Client,
        replay_window_seconds: int = 300,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        budget: CallBudget | None = None,
    ) -> None:
        super().__init__(
            client=client, sleep=sleep, budget=budget, max_attempts=settings.max_attempts,
            max_total_wait_seconds=settings.max_total_wait_seconds,
        )
        self.settings = settings
        self.replay_window = timedelta(seconds=replay_window_seconds)
        self._clock = clock
        self._ai_user_id: str | None = settings.ai_user_id
        self._prepare()

    def _prepare(self) -> None:
        """Set up what a platform keeps beyond the shared state (the constructor is
        declared once, here); nothing by default. Must not call the helpdesk."""

    @classmethod
    def basic_auth(cls, settings: SettingsT, token: str) -> httpx.BasicAuth:
        """The account's HTTP basic credentials for API token `token`."""
        raise NotImplementedError

    @classmethod
    def make_client(cls, settings: SettingsT) -> httpx.Client:
        """An `httpx.Client` with the account's base URL, API-token auth and timeouts.

        Raises ConfigError when no API token is configured.
        """
        token = getattr(settings, "api_token", None)
        value = token.get_secret_value() if token is not None else ""
        if not value:
            raise ConfigError(
                f"platforms.{cls.name}: no API token; set HANDOFF_{cls.name.upper()}_API_TOKEN"
            )
        return httpx.Client(
            base_url=settings.api_base(),
            auth=cls.basic_auth(settings, value),
            timeout=httpx.Timeout(settings.timeout_seconds),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
