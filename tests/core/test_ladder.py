"""Escalation ladders, the pure parts: which ladder, one step up, the history note, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from core.errors import ConfigError
from core.ladder import Step, choose_ladder, climb, first_step, with_ladder
from core.ladder_settings import EscalationSettings
from core.models import (
    AddTags,
    Assign,
    Decision,
    InternalNote,
    Priority,
    Reason,
    RemoveTags,
    SetPriority,
    SetStatus,
    Status,
)
from core.models import Path as DecisionPath
from core.settings import parse_settings

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SETTINGS = EscalationSettings.model_validate({
    "ladders": {
        "default": [{"name": "tier2", "group": "1", "sla_minutes": 240},
                    {"name": "manager", "group": "2", "priority": "high"}],
        "legal": [{"name": "tier2", "group": "1", "sla_minutes": 240},
                  {"name": "legal", "group": "9", "priority": "urgent", "sla_minutes": 1440}],
    },
    "by_reason": {"high_risk:legal": "legal"},
})
LEGAL = Reason(code="high_risk:legal", rule="triggers.high_risk.legal[0]", detail="a lawyer")
ASKED = Reason(code="human_request", rule="triggers.human_request[0]", detail="a person")


def test_the_ladder_comes_from_a_rule_then_the_reason_then_the_default() -> None:
    assert choose_ladder([ASKED], SETTINGS, named="legal") == "legal"
    assert choose_ladder([ASKED, LEGAL], SETTINGS) == "legal"
    assert choose_ladder([ASKED], SETTINGS) == "default"
    assert choose_ladder([ASKED], EscalationSettings()) is None


def test_an_escalation_starts_on_level_0_of_its_ladder() -> None:
    planned = (InternalNote(body="note"), AddTags(tags=("handoff_escalated",)),
               Assign(group="routing-group"), SetStatus(status=Status.OPEN))
    decision = Decision(ticket_id="1", platform="test", path=DecisionPath.ESCALATE, confidence=0.0,
                        reasons=(LEGAL,), actions=planned)
    routed = with_ladder(decision, SETTINGS)
    assert routed.ladder == "legal"
    assert Assign(group="1") in routed.actions
    assert Assign(group="routing-group") not in routed.actions
    assert AddTags(tags=("handoff_level_tier2",)) in routed.actions
    drafted = decision.model_copy(update={"path": DecisionPath.DRAFT})
    assert with_ladder(drafted, SETTINGS) == drafted


def test_each_step_carries_every_step_before_it() -> None:
    one = first_step("legal", SETTINGS, [LEGAL], NOW)
    assert (one.level, one.name, one.due_at) == (0, "tier2", NOW + timedelta(minutes=240))
    later = NOW + timedelta(hours=3)
    two = climb("legal", 0, (one,), "high_risk:legal: Lawsuit", SETTINGS, "agent Sam",
                "They have a court date", later)
    assert two.step == Step(level=1, name="legal", at=later, by="agent Sam",
                            why="They have a court date", group="9",
                            due_at=later + timedelta(minutes=1440))
    note, assign, priority, drop, tag, status = two.actions
    assert isinstance(note, InternalNote)
    assert note.body.index('level 1 "tier2"') < note.body.index('level 2 "legal"')
    assert "high_risk:legal: a lawyer" in note.body
    assert "Original handoff summary: high_risk:legal: Lawsuit" in note.body
    assert (assign, priority, drop, tag, status) == (
        Assign(group="9"), SetPriority(priority=Priority.URGENT),
        RemoveTags(tags=("handoff_next_level",)), AddTags(tags=("handoff_level_legal",)),
        SetStatus(status=Status.OPEN))


def test_at_the_top_or_without_a_ladder_the_ticket_stays() -> None:
    history = (first_step("legal", SETTINGS, [LEGAL], NOW),)
    top = climb("legal", 1, history, "s", SETTINGS, "ops", "", NOW)
    assert top.step is None
    assert [a.kind for a in top.actions] == ["internal_note", "remove_tags"]
    assert "there is no higher level" in top.note
    none = climb(None, None, (), "s", SETTINGS, "ops", "", NOW)
    assert none.step is None
    assert "has no ladder" in none.note


@pytest.mark.parametrize(("escalation", "message"), [
    ({"by_reason": {"human_request": "nope"}}, "by_reason.human_request = 'nope': no such ladder"),
    ({"ladders": {"x": []}}, "ladder 'x' has no levels"),
    ({"ladders": {"x": [{"name": "a"}]}}, "level 'a' needs a group or an assignee"),
    ({"ladders": {"x": [{"name": "a", "group": "1"}, {"name": "a", "group": "2"}]}},
     "names level 'a' twice"),
    ({"ladders": {"x": [{"name": "a", "group": "1", "sla": 5}]}}, "sla"),
    ({"next_level_tag": "Next Level"}, "next_level_tag"),
])
def test_bad_escalation_settings_name_the_key(escalation: dict[str, object],
                                              message: str) -> None:
    with pytest.raises(ConfigError, match="escalation") as caught:
        parse_settings(yaml.safe_dump({"escalation": escalation}), "handoff.yaml", {}, Path("."))
    assert message in str(caught.value)
