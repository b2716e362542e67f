"""Data retention: delete decision-log and escalation rows past the retention period
(``handoff purge``).

What is kept whatever its age, and why: an escalation record that is still open (a
person has the ticket; the hand-back and keep-warm updates read it), and the decision
every kept escalation record came from (the record explains itself by it). Everything
else older than the cut-off goes: decisions with the results of their writes,
escalation records closed before it, drafts with their feedback, hand-backs, holdout
decisions, and the outcomes of tickets first seen before it. Reports and the holdout's
lift then cover the retention period only.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from infra.store.decision_log import (
    action_results,
    decisions,
    drafts,
    escalations,
    handbacks,
    holdouts,
    ticket_outcomes,
)

OPEN = "open"


def purge(engine: sa.Engine, before: datetime, dry_run: bool = False) -> dict[str, int]:
    """Delete the rows older than `before` in one transaction; return the count per table
    (what would go, with `dry_run`, which deletes nothing). Raises SQLAlchemy's errors."""
    old_escalation = sa.and_(escalations.c.state != OPEN, escalations.c.closed_at < before)
    staying = sa.select(escalations.c.decision_id).where(sa.not_(old_escalation))
    old_decisions = sa.select(decisions.c.decision_id).where(
        decisions.c.decided_at < before, decisions.c.decision_id.not_in(staying))
    # Children first: action_results refers to decisions.
    wheres = {
        action_results: action_results.c.decision_id.in_(old_decisions),
        decisions: decisions.c.decision_id.in_(old_decisions),
        escalations: old_escalation,
        drafts: drafts.c.drafted_at < before,
        handbacks: handbacks.c.at < before,
        holdouts: holdouts.c.at < before,
        ticket_outcomes: ticket_outcomes.c.first_seen_at < before,
    }
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        for table, where in wheres.items():
            if dry_run:
                counts[table.name] = connection.execute(
                    sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()
            else:
                counts[table.name] = connection.execute(sa.delete(table).where(where)).rowcount
    return counts
