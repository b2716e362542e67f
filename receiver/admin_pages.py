"""The admin site's pages beyond the open list: one escalation's record, one ticket's
story, the failed jobs (with replay for resolvers) and the support lead's report.

`add_pages` puts them on the ``/admin`` blueprint of `receiver.admin`, which signs
people in and checks every form's CSRF token and the person's role first. What they
read beyond the store comes through `Extras`, which the receiver's WSGI entry
point fills (`receiver.wsgi`); a page whose source is absent says so instead of
failing. A missing record is 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import redis
from flask import Blueprint, Response, abort, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from infra.failed_jobs import FailedJob
from infra.ledger_view import planned_note
from infra.store.escalations import steps

if TYPE_CHECKING:
    from receiver.admin import AdminStore

MAX_REPORT_DAYS = 366


@dataclass(frozen=True)
class Extras:
    """Sources of the failed-jobs and report pages; None where there is none."""

    failed: Callable[[], list[FailedJob]] | None = None
    replay: Callable[[str], bool] | None = None
    report: Callable[[datetime, datetime], Mapping[str, Any]] | None = None


def period(args: Mapping[str, str], now: datetime) -> tuple[datetime, datetime, int]:
    """The report's period from ``?days=N`` (1 to 366, default 28): start, end, days."""
    raw = args.get("days", "28")
    days = int(raw) if raw.isdigit() else 28
    days = min(max(days, 1), MAX_REPORT_DAYS)
    return now - timedelta(days=days), now, days


def add_pages(blueprint: Blueprint, store: AdminStore, page: Callable[..., Response],
              extras: Extras, connection: redis.Redis) -> None:
    """Register the record, ticket, failed-jobs and report pages on `blueprint`; the
    handoff note is read from the decision ledger in Redis through `connection`."""

    @blueprint.get("/escalations/<int(max=2147483647):record_id>")
    def record(record_id: int) -> Response:
        found = store.get(record_id)
        if found is None:
            abort(404, description=f"no escalation record {record_id}")
        decision = store.decision(found["decision_id"])
        try:
            note = planned_note(connection, found["decision_id"])
        except redis.RedisError:
            note = None
        return page("admin/record.html", r=found, decision=decision, history=steps(found),
                    note=note, now=datetime.now(UTC))

    @blueprint.get("/tickets/<platform>/<ticket_id>")
    def ticket(platform: str, ticket_id: str) -> Response:
        story = store.ticket(platform, ticket_id)
        return page("admin/ticket.html", platform=platform, ticket_id=ticket_id, **story)

    @blueprint.get("/failed")
    def failed() -> Response:
        jobs: list[FailedJob] | None = None
        unavailable = ""
        if extras.failed is not None:
            try:
                jobs = extras.failed()
            except redis.RedisError as exc:
                unavailable = f"Redis did not answer: {exc}"
        return page("admin/failed.html", jobs=jobs, unavailable=unavailable,
                    can_replay=extras.replay is not None)

    @blueprint.post("/failed/replay")
    def replay() -> BaseResponse:
        job_id = request.form.get("job_id", "")
        if extras.replay is None:
            abort(404, description="replaying is not set up on this receiver")
        done = extras.replay(job_id)
        message = (f"Job {job_id} queued again; its decision is planned afresh." if done
                   else f"Nothing changed: job {job_id} is not in the failed-job registry.")
        return redirect(f"{url_for('admin.failed')}?msg={quote(message, safe='')}", code=303)

    @blueprint.get("/report")
    def report() -> Response:
        start, end, days = period(request.args, datetime.now(UTC))
        data = extras.report(start, end) if extras.report is not None else None
        return page("admin/report.html", data=data, days=days)
