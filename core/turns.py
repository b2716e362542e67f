"""Where to judge a past ticket: the moment the customer was waiting for an answer.

An exported ticket holds the whole thread, agent replies included; decided in its
final state, almost every one is skipped ("not the customer's turn"). These
cuts give the thread as it stood when the customer waited:

- `first_turn`: everything before the first public agent or AI reply (the
  ticket as the engine would have met it), status open;
- `customer_turns`: one cut before each public agent or AI reply that answers a
  customer message, plus the whole thread when it ends with the customer.

Pure: tickets in, tickets out; ids of later cuts get ``#<turn>`` appended.
"""

from __future__ import annotations

from core.models import Message, Role, Status, Ticket

_REPLIES = (Role.AGENT, Role.AI)


def _replies_to_customer(messages: tuple[Message, ...]) -> list[int]:
    """Indexes of public agent/AI replies that follow a public customer message."""
    waiting = False
    cuts = []
    for index, message in enumerate(messages):
        if not message.public:
            continue
        if message.author is Role.CUSTOMER:
            waiting = True
        elif message.author in _REPLIES and waiting:
            cuts.append(index)
            waiting = False
    return cuts


def _cut(ticket: Ticket, end: int, turn: int) -> Ticket:
    return ticket.model_copy(update={
        "messages": ticket.messages[:end], "status": Status.OPEN,
        "id": ticket.id if turn == 1 else f"{ticket.id}#{turn}"})


def first_turn(ticket: Ticket) -> Ticket:
    """`ticket` cut just before its first public agent or AI reply to the customer;
    unchanged when no one replied (or no customer wrote first)."""
    cuts = _replies_to_customer(ticket.messages)
    return _cut(ticket, cuts[0], 1) if cuts else ticket


def customer_turns(ticket: Ticket) -> list[Ticket]:
    """One ticket per moment the customer waited for a reply, oldest first; the ticket
    itself when no one replied."""
    cuts = _replies_to_customer(ticket.messages)
    points = [_cut(ticket, end, turn) for turn, end in enumerate(cuts, 1)]
    last = next((m for m in reversed(ticket.messages) if m.public), None)
    if last is not None and last.author is Role.CUSTOMER and cuts:
        points.append(ticket.model_copy(update={"id": f"{ticket.id}#{len(cuts) + 1}"}))
    return points or [ticket]


def decision_points(ticket: Ticket, labels: object, every_turn: bool = False) -> list[Ticket]:
    """The tickets `simulate` decides for one row: every customer turn when asked, the
    first turn for an exported history row (its `labels` hold ``history``), else the row
    as it is (a thread written to be judged in its final state)."""
    if every_turn:
        return customer_turns(ticket)
    if isinstance(labels, dict) and "history" in labels:
        return [first_turn(ticket)]
    return [ticket]
