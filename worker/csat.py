"""The customers' satisfaction ratings of solved tickets, for the lead's CSAT.

Each SLA sweep asks the helpdesk (``ticket_history``, the reader ``handoff export``
uses) for the rating of a few tickets solved in the last ``aftercare.csat.days`` that
have none yet, the least recently asked first (`core.aftercare.CsatSettings`). A
rate budget spent ends this part of the sweep; any other helpdesk error is logged
and the ticket is asked again after ``every_hours``. Database errors propagate.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from core.errors import ConfigError, HelpdeskError, RateLimited
from infra.store.escalations import Escalations
from worker.runtime import Runtime

log = logging.getLogger("worker.csat")


def read_ratings(runtime: Runtime, records: Escalations, now: datetime) -> int:
    """Ask for the ratings due at `now`; how many tickets turned out rated."""
    wanted = runtime.settings.aftercare.csat
    if not wanted.enabled or not wanted.max_per_sweep:
        return 0
    due = records.unrated(now - timedelta(days=wanted.days),
                          now - timedelta(hours=wanted.every_hours), wanted.max_per_sweep)
    rated = 0
    for platform, ticket_id in due:
        try:
            history = runtime.connector(platform).export.ticket_history(ticket_id)
        except ConfigError:
            continue  # a platform no longer configured
        except RateLimited:
            log.warning("CSAT: stopped early, the rate budget is spent")
            break
        except HelpdeskError as exc:
            log.warning("CSAT: %s ticket %s: %s", platform, ticket_id, exc)
            records.record_rating(platform, ticket_id, None, now)
            continue
        score = history.satisfaction.score if history.satisfaction else None
        records.record_rating(platform, ticket_id, score, now)
        rated += score is not None
    return rated
