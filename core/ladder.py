"""Escalation ladders: which ladder an escalation climbs, what one step up does, and
the handoff-history note that the people at every level read.

Pure: callers pass `now`, the record's ladder, level and history. Nothing here
raises for settings that passed validation; a record whose ladder was removed
from the settings since it opened is treated as having no ladder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from core.actions import most_specific
from core.aftercare import human_replied_since
from core.ladder_settings import EscalationSettings, Level
from core.models import (
    Action,
    AddTags,
    Assign,
    Decision,
    InternalNote,
    Path,
    Reason,
    RemoveTags,
    SetPriority,
    SetStatus,
    Status,
    Ticket,
)
from core.text import excerpt, tag_safe

LEVEL_TAG_PREFIX = "handoff_level_"
NEXT_LEVEL = "next_level"
WHY_CHARS = 280


class Step(BaseModel):
    """One step of a ticket's handoff history: the level it reached, when, who and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: int
    name: str
    at: datetime
    by: str
    why: str
    group: str | None = None
    assignee: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class Climb:
    """What one next-level request does. `step` is None when the ticket stays where it is
    (top of the ladder, or no ladder); `actions` then only note that and drop the tag."""

    step: Step | None
    actions: tuple[Action, ...]
    note: str


def choose_ladder(
    reasons: Sequence[Reason], settings: EscalationSettings, named: str | None = None
) -> str | None:
    """The ladder an escalation climbs: `named` (a rule's ``ladder:``) when it exists,
    else the most specific ``by_reason`` key, else the default ladder if defined."""
    if named and named in settings.ladders:
        return named
    found = most_specific(reasons, settings.by_reason)
    if found is not None:
        return found
    return settings.default_ladder if settings.default_ladder in settings.ladders else None


def with_ladder(decision: Decision, settings: EscalationSettings) -> Decision:
    """An escalation routed onto level 0 of its ladder (see `onto_first_level`), with
    the ladder named on the decision; any other decision unchanged."""
    if decision.path is not Path.ESCALATE:
        return decision
    ladder = choose_ladder(decision.reasons, settings, decision.ladder)
    if ladder is None:
        return decision
    return decision.model_copy(update={
        "ladder": ladder, "actions": onto_first_level(decision.actions, ladder, settings)})


def onto_first_level(
    actions: Sequence[Action], ladder: str | None, settings: EscalationSettings
) -> tuple[Action, ...]:
    """An escalation's planned writes with level 0 of `ladder` as its route: the
    ladder's assignment and priority replace the routing ones. Writes without a
    status change (shadow mode) or without a ladder are returned unchanged."""
    if ladder is None or ladder not in settings.ladders:
        return tuple(actions)
    if not any(isinstance(a, SetStatus) for a in actions):
        return tuple(actions)
    kept = [a for a in actions if not isinstance(a, Assign | SetPriority)]
    at = next(i for i, a in enumerate(kept) if isinstance(a, SetStatus))
    tagged = AddTags(tags=(level_tag(settings.ladders[ladder][0].name),))
    return (*kept[:at], *level_actions(settings.ladders[ladder][0]), tagged, *kept[at:])


def level_actions(level: Level) -> tuple[Action, ...]:
    """Assign to the level's route, and set its priority when it has one."""
    actions: list[Action] = [Assign(group=level.group, assignee=level.assignee)]
    if level.priority is not None:
        actions.append(SetPriority(priority=level.priority))
    return tuple(actions)


def first_step(ladder: str, settings: EscalationSettings, reasons: Sequence[Reason],
               now: datetime) -> Step:
    """Step 1 of the history: the escalation itself, onto level 0 of `ladder`."""
    level = settings.ladders[ladder][0]
    primary = reasons[0] if reasons else Reason(code="unknown", rule="")
    why = f"{primary.code}: {primary.detail}" if primary.detail else primary.code
    return _step(0, level, now, "Handoff (first escalation)", why)


def climb(
    ladder: str | None, level: int | None, history: Sequence[Step], summary: str,
    settings: EscalationSettings, by: str, why: str, now: datetime,
) -> Climb:
    """One next-level request on a record at `level` of `ladder`.

    Below the top: assign the next level's route (and priority), drop the
    next-level tag, tag the level, keep the ticket open, and leave a note with
    the whole history including this step. At the top, or without a ladder,
    the ticket stays where it is and the note says why.
    """
    drop = RemoveTags(tags=(settings.next_level_tag,))
    levels = settings.ladders.get(ladder or "")
    request = f"{by}: {excerpt(why, WHY_CHARS)}" if why.strip() else by
    if not levels or level is None:
        text = (f"Handoff: a next-level escalation was asked for ({request}), but this "
                "escalation has no ladder (settings: escalation.ladders, escalation.by_reason, "
                "escalation.default_ladder), so the ticket stays where it is.")
        return Climb(None, (InternalNote(body=_with_history(text, history, summary)), drop), text)
    if level + 1 >= len(levels):
        text = (f"Handoff: a next-level escalation was asked for ({request}), but "
                f"\"{levels[level].name}\" is the top of ladder \"{ladder}\": there is no "
                "higher level, so the ticket stays where it is.")
        return Climb(None, (InternalNote(body=_with_history(text, history, summary)), drop), text)
    target = levels[level + 1]
    step = _step(level + 1, target, now, by, why)
    text = (f"Handoff: passed on to level {step.level + 1} of {len(levels)}, \"{target.name}\" "
            f"(ladder \"{ladder}\"), by {request}.")
    if step.due_at is not None:
        text += f"\nThis level replies by {_when(step.due_at)} ({target.sla_minutes} min)."
    note = _with_history(text, (*history, step), summary)
    actions: tuple[Action, ...] = (
        InternalNote(body=note), *level_actions(target), drop,
        AddTags(tags=(level_tag(target.name),)), SetStatus(status=Status.OPEN),
    )
    return Climb(step, actions, text)


def overdue(due_at: datetime | None, since: datetime, ticket: Ticket, now: datetime) -> bool:
    """A level's time ran out (`due_at` passed) with no public reply from a person since
    the step began (`since`)."""
    if due_at is None or due_at > now:
        return False
    return human_replied_since(ticket, since) is None


def level_tag(name: str) -> str:
    """The tag that shows which level a ticket is at (``handoff_level_legal``)."""
    return tag_safe(LEVEL_TAG_PREFIX + name)


def history_text(history: Sequence[Step], summary: str) -> str:
    """Every step so far, oldest first, then the original handoff summary."""
    lines = ["Handoff history, oldest first (read every step before you reply):"]
    for number, step in enumerate(history, start=1):
        where = ", ".join(p for p in (f"group {step.group}" if step.group else "",
                                      f"agent {step.assignee}" if step.assignee else "") if p)
        lines.append(f"{number}. {_when(step.at)}: level {step.level + 1} \"{step.name}\" "
                     f"({where}); {step.by}: {excerpt(step.why, WHY_CHARS)}")
    lines.append(f"Original handoff summary: {summary or '(none)'}")
    return "\n".join(lines)


def _with_history(text: str, history: Sequence[Step], summary: str) -> str:
    return f"{text}\n\n{history_text(history, summary)}"


def _step(index: int, level: Level, now: datetime, by: str, why: str) -> Step:
    due = now + timedelta(minutes=level.sla_minutes) if level.sla_minutes else None
    return Step(level=index, name=level.name, at=now, by=by, why=why.strip() or "(no reason given)",
                group=level.group, assignee=level.assignee, due_at=due)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
