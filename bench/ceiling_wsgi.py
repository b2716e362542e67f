"""The receiver with its enqueue replaced by a no-op: the bare-Flask ceiling for bench/ingest.py.

    gunicorn 'bench.ceiling_wsgi:build_app()'

Everything else (signature check, parsing, logging, metrics, gunicorn) is the same as
``receiver.wsgi:build_app()``, so ingestion / ceiling is the cost of queueing.
"""

from __future__ import annotations

from flask import Flask

import receiver.app
from core.models import TicketEvent
from core.settings import Settings
from infra.queue import Enqueued, job_id_for
from receiver.wsgi import build_app as _build_app


def _no_enqueue(queue: object, settings: Settings, event: TicketEvent) -> Enqueued:
    return Enqueued(job_id_for(event), duplicate=False)


def build_app() -> Flask:
    receiver.app.enqueue_event = _no_enqueue  # type: ignore[assignment]
    return _build_app()
