"""Where a past ticket is judged: its first customer turn, or every one."""

from __future__ import annotations

from core.models import Role, Status
from core.turns import customer_turns, decision_points, first_turn
from tests.core.helpers import ticket

C, A, BOT = Role.CUSTOMER, Role.AGENT, Role.AI


def test_first_turn_cuts_before_the_first_agent_or_ai_reply() -> None:
    answered = ticket("Where is my parcel?", "It has been a week", "On its way!", "Thanks",
                      authors=(C, C, A, C)).model_copy(update={"status": Status.SOLVED})
    cut = first_turn(answered)
    assert [m.text for m in cut.messages] == ["Where is my parcel?", "It has been a week"]
    assert cut.status is Status.OPEN
    assert cut.id == answered.id
    by_ai = ticket("Where is my parcel?", "On its way!", authors=(C, BOT))
    assert [m.text for m in first_turn(by_ai).messages] == ["Where is my parcel?"]
    waiting = ticket("Where is my parcel?")
    assert first_turn(waiting) == waiting


def test_every_customer_turn() -> None:
    thread = ticket("Where is my parcel?", "On its way!", "Still nothing", "Sorry, chasing it",
                    "Any news?", authors=(C, A, C, BOT, C))
    points = customer_turns(thread)
    assert [len(p.messages) for p in points] == [1, 3, 5]
    assert [p.id for p in points] == [thread.id, f"{thread.id}#2", f"{thread.id}#3"]


def test_only_exported_rows_are_cut_unless_every_turn_is_asked() -> None:
    thread = ticket("Where is my parcel?", "On its way!", authors=(C, A))
    assert decision_points(thread, {"expect_path": "skip"}) == [thread]
    assert len(decision_points(thread, {"history": {"solved_by": "agent"}})[0].messages) == 1
    assert len(decision_points(thread, None, every_turn=True)) == 1
