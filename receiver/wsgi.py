"""The receiver as a WSGI app for gunicorn: ``gunicorn 'receiver.wsgi:build_app()'``.

Built from the environment (``HANDOFF_CONFIG``, ``REDIS_URL``, secrets); a bad
configuration raises ConfigError while the app is built, so gunicorn refuses
to start.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask

from connectors.registry import build_connectors
from infra import failed_jobs
from infra.config import load_settings
from infra.logs import configure
from infra.queue import make_queue, queue_return
from infra.redis_conn import connect
from infra.store import lead_report, simulation_report
from infra.store.admin_reads import AdminReads
from infra.store.decision_log import DecisionLog, database_url
from receiver.admin import admin_blueprint
from receiver.admin_pages import Extras
from receiver.app import create_app


def build_app() -> Flask:
    """The receiver with every configured platform's connector."""
    configure()
    settings = load_settings(env=os.environ)
    database = DecisionLog(sa.create_engine(database_url(os.environ), pool_pre_ping=True))
    token = os.environ.get("HANDOFF_ADMIN_TOKEN") or None
    connection = connect(os.environ)
    queue = make_queue(settings, connection)
    reads = AdminReads(database.engine)
    extras = Extras(failed=lambda: failed_jobs.list_failed(queue),
                    replay=lambda job_id: failed_jobs.replay(queue, job_id),
                    report=lambda start, end: {"lead": lead_report.collect(
                        reads, start, end, settings.report)})
    admin = (admin_blueprint(reads, token, simulation_report.load,
                             lambda record: queue_return(settings, connection, record),
                             connection=connection, settings=settings.admin, extras=extras)
             if token or settings.admin.accounts else None)
    return create_app(settings, connection, build_connectors(settings),
                      ready_checks={"database": database.ping}, admin_token=token, admin=admin)

