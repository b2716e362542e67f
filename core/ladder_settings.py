"""The ``escalation:`` settings section: escalation ladders (issue 9, item 2).

A ladder is a list of levels, lowest first; each level is a route (group and/or
assignee, optional priority) with the minutes the people at that level have to
reply. A ticket escalates onto level 0 of its ladder; an agent passes it one level
up by adding `next_level_tag`, an operator with ``handoff escalate``.

Which ladder an escalation climbs: a rule's ``ladder:`` when the rules name one,
else the most specific key of `by_reason` (a reason code such as
``high_risk:legal``, or its family ``high_risk``), else `default_ladder`. An
escalation no ladder covers keeps the plain ``routing`` route and has no levels.

Validation names the key and value: an unknown ladder in `by_reason` or
`default_ladder`, an empty ladder, a level without a group or assignee, or two
levels of one ladder with the same name are errors.
"""

from __future__ import annotations

import re
from typing import Self

from pydantic import Field, field_validator, model_validator

from core.models import Priority
from core.platform_settings import Section

DEFAULT_LADDER = "default"
# `handoff install zendesk` creates a trigger for this tag; another tag needs that trigger edited.
DEFAULT_NEXT_LEVEL_TAG = "handoff_next_level"


class Level(Section):
    """One rung: where the ticket goes, at which priority, and how long that level has."""

    name: str = Field(min_length=1)
    group: str | None = None
    assignee: str | None = None
    priority: Priority | None = None
    sla_minutes: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _routed(self) -> Self:
        if not (self.group or self.assignee):
            raise ValueError(f"level {self.name!r} needs a group or an assignee")
        return self


class EscalationSettings(Section):
    """Escalation ladders and how tickets climb them."""

    ladders: dict[str, tuple[Level, ...]] = Field(default_factory=dict)
    next_level_tag: str = Field(default=DEFAULT_NEXT_LEVEL_TAG, min_length=1)
    by_reason: dict[str, str] = Field(default_factory=dict)
    # Used when nothing else names a ladder; ignored while no ladder has this name.
    default_ladder: str = DEFAULT_LADDER
    # The SLA sweep passes a ticket up when its level's sla_minutes ran out with no
    # public reply from a person since the step (off: the sweep only picks up the tag).
    climb_when_overdue: bool = False

    @field_validator("next_level_tag")
    @classmethod
    def _tag_safe(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9_:-]+", value):
            raise ValueError("a tag is lowercase letters, digits, '_', ':' or '-'")
        return value

    @field_validator("ladders")
    @classmethod
    def _levels(cls, value: dict[str, tuple[Level, ...]]) -> dict[str, tuple[Level, ...]]:
        for name, levels in value.items():
            if not levels:
                raise ValueError(f"ladder {name!r} has no levels")
            names = [level.name for level in levels]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"ladder {name!r} names level {twice[0]!r} twice")
        return value

    @model_validator(mode="after")
    def _known_ladders(self) -> Self:
        for code, ladder in self.by_reason.items():
            if ladder not in self.ladders:
                raise ValueError(f"by_reason.{code} = {ladder!r}: no such ladder "
                                 f"(ladders: {', '.join(sorted(self.ladders)) or 'none'})")
        if self.default_ladder != DEFAULT_LADDER and self.default_ladder not in self.ladders:
            raise ValueError(f"default_ladder = {self.default_ladder!r}: no such ladder")
        return self
