"""The webhook receiver: verify, parse, dedupe, enqueue, answer 202.

It never calls a helpdesk inside a request. Every refusal is JSON
``{"error": "..."}`` with a status the helpdesk understands: 401 bad signature,
400 malformed or odd body (`receiver.body`) or missing field, 404 unknown
platform, 413 body too large, 503 Redis unavailable (so the helpdesk delivers
again later).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping

import redis
from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from connectors.base import WebhookSource
from core.errors import WebhookError
from core.settings import Settings
from infra import metrics
from infra.queue import enqueue_event, make_queue
from infra.redis_health import persistence_warning, unchecked
from receiver.admin_auth import LoginThrottle
from receiver.body import decode_json

log = logging.getLogger("receiver")


def create_app(
    settings: Settings,
    connection: redis.Redis,
    connectors: Mapping[str, WebhookSource],
    ready_checks: Mapping[str, Callable[[], None]] | None = None,
    admin_token: str | None = None,
    admin: Blueprint | None = None,
) -> Flask:
    """Build the receiver for the given, already-verified `connectors`.

    `ready_checks` are extra dependencies for ``/readyz`` (name -> a callable that
    raises when the dependency is down), such as the decision-log database. A
    failing check's error text (which can name a host) is shown only to a request
    bearing `admin_token`; others see the error's type. Whether Redis persists what
    it acknowledges is checked at start-up and reported under ``warnings``.
    ``/metrics`` answers only a request bearing `admin_token`; without a token
    configured it is switched off (404), and wrong tokens count towards the admin
    page's limit on failed sign-ins (`receiver.admin_auth`). `admin` is the ``/admin`` page
    (`receiver.admin.admin_blueprint`), registered when given.
    """
    app = Flask("handoff.receiver")
    app.config["MAX_CONTENT_LENGTH"] = settings.receiver.max_body_bytes
    queue = make_queue(settings, connection)
    persistence = _PersistenceCheck(connection)
    if admin is not None:
        app.register_blueprint(admin)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        status = exc.code or 500
        if status == 413:
            message = f"body larger than {settings.receiver.max_body_bytes} bytes"
        else:
            message = exc.description or exc.name
        return jsonify(error=message), status

    @app.errorhandler(WebhookError)
    def refused(exc: WebhookError) -> tuple[Response, int]:
        log.warning("webhook refused (%s): %s", exc.status, exc)
        return jsonify(error=str(exc)), exc.status

    @app.errorhandler(redis.RedisError)
    def redis_down(exc: redis.RedisError) -> tuple[Response, int]:
        log.error("redis unavailable: %s", exc)
        response = jsonify(error="queue unavailable, deliver again later")
        response.headers["Retry-After"] = "30"
        return response, 503

    @app.post("/webhooks/<platform>")
    def webhook(platform: str) -> tuple[Response, int]:
        connector = connectors.get(platform)
        if connector is None:
            return jsonify(error=f"unknown or disabled platform {platform!r}"), 404
        raw = request.get_data(cache=False)
        connector.verify(request.headers, raw)
        event = connector.parse_event(request.headers, decode_json(raw))
        result = enqueue_event(queue, settings, event)
        log.info(
            "webhook %s ticket=%s event=%s job=%s duplicate=%s",
            platform, event.ticket_id, event.event_id, result.job_id, result.duplicate,
        )
        if result.duplicate:
            metrics.DEDUPE_HITS.labels(platform).inc()
            return jsonify(status="duplicate", job_id=result.job_id), 200
        return jsonify(status="queued", job_id=result.job_id), 202

    @app.after_request
    def count(response: Response) -> Response:
        if request.endpoint == "webhook" and request.view_args:
            platform = request.view_args.get("platform", "")
            known = platform if platform in connectors else "unknown"
            metrics.WEBHOOKS.labels(known, str(response.status_code)).inc()
        return response

    throttle = LoginThrottle(connection)

    def bearer_ok() -> bool:
        """Whether the request bears the admin token; a wrong one counts as a failed sign-in."""
        if _matches(admin_token):
            return True
        if request.headers.get("Authorization"):
            throttle.failed(request.remote_addr or "unknown")
        return False

    @app.get("/metrics")
    def metrics_page() -> Response | tuple[Response, int]:
        if not admin_token:
            return jsonify(error="metrics are off: set HANDOFF_ADMIN_TOKEN"), 404
        wait = throttle.blocked(request.remote_addr or "unknown")
        if wait is not None:
            response = jsonify(error="too many failed attempts with the admin token")
            response.headers["Retry-After"] = str(wait)
            return response, 429
        if not bearer_ok():
            return jsonify(error="a valid bearer token is required"), 401
        return Response(metrics.render(queue), mimetype="text/plain; version=0.0.4")

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    checks: dict[str, Callable[[], object]] = {"redis": connection.ping, **(ready_checks or {})}

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        report: dict[str, str] = {}
        try:
            detailed = throttle.blocked(request.remote_addr or "unknown") is None and bearer_ok()
        except redis.RedisError:  # the throttle lives in Redis, which may be what is down
            detailed = _matches(admin_token)
        for name, check in checks.items():
            try:
                check()
                report[name] = "ok"
            except Exception as exc:  # any failure of a dependency means not ready
                # The message can carry a host, a port or a connection string.
                report[name] = f"{type(exc).__name__}: {exc}" if detailed else type(exc).__name__
        ready = all(value == "ok" for value in report.values())
        if report["redis"] == "ok":
            persistence.check()
        warning = persistence.warning
        return jsonify(status="ready" if ready else "unavailable", **report,
                       warnings=[warning] if warning else []), 200 if ready else 503

    return app


class _PersistenceCheck:
    """`persistence_warning`, checked at start-up and logged; while Redis cannot be
    reached, checked again by the next ``/readyz`` that finds it up."""

    def __init__(self, connection: redis.Redis) -> None:
        self._connection = connection
        self._answer: str | None = None
        self._settled = False
        self.check()

    def check(self) -> None:
        if self._settled:
            return
        try:
            self._answer = persistence_warning(self._connection)
        except redis.RedisError as exc:
            self._answer = unchecked(exc)
            return
        self._settled = True
        if self._answer:
            log.warning("%s", self._answer)

    @property
    def warning(self) -> str | None:
        return self._answer


def _matches(admin_token: str | None) -> bool:
    """Whether the request's bearer token is `admin_token`, compared in constant time."""
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(admin_token) and hmac.compare_digest(offered.encode(), (admin_token or "").encode())
