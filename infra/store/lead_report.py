"""The support lead's report over a period, read from the decision log.

Every figure comes with its target (`core.admin_settings.ReportSettings`) and
whether it is met (None: no data in the period):

- **escalation rate**: tickets with an escalate decision, of tickets the engine
  decided (any path but skip), overall, by primary reason and by ISO week;
- **containment**: AI-solved tickets not reopened within ``reopen_days`` of the
  solve, of decided tickets (solves younger than that count as contained so far,
  and are counted apart as ``pending``);
- **reopen rate**: solved tickets reopened at least once;
- **CSAT**, AI-solved against human-solved: the share of ratings that are good,
  over tickets solved in the period whose rating the SLA sweep read
  (`worker.csat`). AI-solved: auto-resolved, and neither escalated in the period nor
  ever reopened; every other rated ticket counts as human-solved;
- **time to first human reply** after escalation: median and p90 minutes, overall
  and by the group or agent the ticket went to;
- **draft acceptance**: accepted, edited, rejected drafts;
- **holdout lift** (`Escalations.lift`) over tickets first seen in the period.

Raises sqlalchemy's errors.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from core.admin_settings import ReportSettings
from infra.store.decision_log import decisions, drafts, escalations, ticket_outcomes
from infra.store.escalations import Escalations, _utc


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def p90(values: Sequence[float]) -> float:
    """The nearest-rank 90th percentile of non-empty `values`."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _reply_times(minutes: Sequence[float]) -> dict[str, Any]:
    if not minutes:
        return {"replied": 0, "median_minutes": None, "p90_minutes": None}
    return {"replied": len(minutes), "median_minutes": round(statistics.median(minutes), 1),
            "p90_minutes": round(p90(minutes), 1)}


def _csat(solved: Sequence[Any], ai_solved: set[tuple[str, str]],
          targets: ReportSettings) -> dict[str, Any]:
    """Good ratings of all ratings, for AI-solved and human-solved tickets."""
    scores: dict[str, list[str]] = {"ai": [], "human": []}
    for outcome in solved:
        if outcome.csat is None:
            continue
        by_ai = (outcome.platform, outcome.ticket_id) in ai_solved and not outcome.reopened
        scores["ai" if by_ai else "human"].append(outcome.csat)
    figures = {who: {"rated": len(found), "good": found.count("good"),
                     "score": _share(found.count("good"), len(found))}
               for who, found in scores.items()}
    ai, human = figures["ai"]["score"], figures["human"]["score"]
    return {**figures, "met": None if ai is None or human is None
            else ai >= human - targets.csat_gap_max}


def _week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def collect(records: Escalations, start: datetime, end: datetime, targets: ReportSettings,
            now: datetime | None = None) -> dict[str, Any]:
    """The report over [`start`, `end`) as one JSON-safe dictionary."""
    now = now or datetime.now(UTC)
    with records.engine.connect() as connection:
        made = connection.execute(
            sa.select(decisions.c.platform, decisions.c.ticket_id, decisions.c.path,
                      decisions.c.reasons, decisions.c.decided_at)
            .where(decisions.c.decided_at >= start, decisions.c.decided_at < end)
            .order_by(decisions.c.decided_at)).all()
        opened = connection.execute(
            sa.select(escalations.c.agent, escalations.c.opened_at,
                      escalations.c.first_reply_at)
            .where(escalations.c.opened_at >= start, escalations.c.opened_at < end)).all()
        judged = connection.execute(
            sa.select(drafts.c.outcome, sa.func.count())
            .where(drafts.c.drafted_at >= start, drafts.c.drafted_at < end,
                   drafts.c.outcome.is_not(None)).group_by(drafts.c.outcome)).all()
        outcomes = {(r.platform, r.ticket_id): r for r in connection.execute(
            sa.select(ticket_outcomes))}

    decided: dict[tuple[str, str], str] = {}
    escalated: dict[tuple[str, str], str] = {}
    auto: set[tuple[str, str]] = set()
    weeks: dict[str, dict[str, set[tuple[str, str]]]] = defaultdict(
        lambda: {"decided": set(), "escalated": set()})
    for row in made:
        key = (row.platform, row.ticket_id)
        if row.path == "skip":
            continue
        week = _week(_utc(row.decided_at))
        decided[key] = week
        weeks[week]["decided"].add(key)
        if row.path == "escalate" and key not in escalated:
            escalated[key] = row.reasons[0]["code"] if row.reasons else "unknown"
            weeks[week]["escalated"].add(key)
        elif row.path == "auto_resolve":
            auto.add(key)

    settle = timedelta(days=targets.reopen_days)
    contained = pending = reopened_early = 0
    for key in auto:
        outcome = outcomes.get(key)
        if outcome is None or outcome.holdout or outcome.solved_at is None:
            continue
        solved_at = _utc(outcome.solved_at)
        back = _utc(outcome.reopened_at) if outcome.reopened_at is not None else None
        if back is not None and back - solved_at <= settle:
            reopened_early += 1
            continue
        contained += 1
        pending += back is None and now - solved_at < settle

    solved = [o for o in outcomes.values() if o.solved_at is not None
              and start <= _utc(o.solved_at) < end]
    by_group: dict[str, list[float]] = defaultdict(list)
    waiting = 0
    for record in opened:
        if record.first_reply_at is None:
            waiting += 1
            continue
        minutes = (_utc(record.first_reply_at) - _utc(record.opened_at)).total_seconds() / 60
        by_group[record.agent or "unassigned"].append(max(0.0, minutes))
    everyone = [m for values in by_group.values() for m in values]
    counts = {str(outcome): int(n) for outcome, n in judged}
    total_judged = sum(counts.values())
    accepted = counts.get("accepted", 0) + counts.get("edited", 0)

    rate = _share(len(escalated), len(decided))
    containment = _share(contained, len(decided))
    reopen = _share(sum(o.reopened > 0 for o in solved), len(solved))
    acceptance = _share(accepted, total_judged)
    replies = _reply_times(everyone)
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat(),
                   "days": round((end - start).total_seconds() / 86400, 1)},
        "generated_at": now.isoformat(),
        "targets": targets.model_dump(),
        "tickets": len(decided),
        "escalation": {
            "escalated": len(escalated), "rate": rate,
            "met": None if rate is None else
            targets.escalation_rate_min <= rate <= targets.escalation_rate_max,
            "by_reason": {code: {"tickets": n, "rate": _share(n, len(decided))}
                          for code, n in Counter(escalated.values()).most_common()},
            "by_week": {week: {"tickets": len(w["decided"]), "escalated": len(w["escalated"]),
                               "rate": _share(len(w["escalated"]), len(w["decided"]))}
                        for week, w in sorted(weeks.items())},
        },
        "containment": {"auto_resolved": len(auto), "contained": contained,
                        "pending": pending, "reopened_within_days": reopened_early,
                        "rate": containment, "met": None if containment is None
                        else containment >= targets.containment_min},
        "reopen": {"solved": len(solved), "rate": reopen,
                   "met": None if reopen is None else reopen <= targets.reopen_rate_max},
        "csat": _csat(solved, auto - set(escalated), targets),
        "first_reply": {
            **replies, "waiting": waiting,
            "met": None if replies["median_minutes"] is None else (
                replies["median_minutes"] <= targets.first_reply_median_minutes
                and replies["p90_minutes"] <= targets.first_reply_p90_minutes),
            "by_group": {group: _reply_times(values)
                         for group, values in sorted(by_group.items())},
        },
        "drafts": {"judged": total_judged, **{o: counts.get(o, 0) for o in
                                               ("accepted", "edited", "rejected")},
                   "acceptance": acceptance,
                   "met": None if acceptance is None
                   else acceptance >= targets.draft_acceptance_min},
        "lift": records.lift(start, end),
    }
