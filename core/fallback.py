"""What to write instead when the helpdesk refuses a batch for good.

A refused write (a group id the helpdesk does not know, a status it will not set,
a reply it will not send) must still leave the ticket with a person. So the
worker tries these fallbacks in order, each one only after the one before was
refused too, and every one of them carries an internal note that says what was
not done, with the helpdesk's answer:

1. the batch without its assignment (routing and ladder ids are the usual cause);
2. the comment and the tag changes only: no assignment, priority or status;
3. the note alone.

A public reply is never sent by a fallback: a helpdesk that refuses part of the
AI's answer is no place for the AI to answer on its own (the cautious choice). The
reply goes into the note as the text a person may send, and no status changes
(solving a ticket whose answer was not sent would close it unanswered). So a
refused auto-resolve becomes a note for an agent, and a refused escalation
message to the customer becomes a note asking an agent to write to them.
Every fallback but the last adds `REJECTED_TAG`, so agents can list these tickets.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.batching import Batch
from core.models import (
    Action,
    AddTags,
    Assign,
    InternalNote,
    PublicReply,
    RemoveTags,
    SetPriority,
    SetStatus,
)

REJECTED_TAG = "handoff_write_rejected"


def fallbacks(batch: Batch, failure: str) -> list[Batch]:
    """The fallbacks for `batch`, refused with `failure` (the helpdesk's answer, shown
    to agents in the note), in the order to try them; distinct, never empty.
    Never raises."""
    comment = next((a for a in batch if isinstance(a, PublicReply | InternalNote)), None)
    fields = [a for a in batch if a is not comment]
    tags: list[Action] = [a for a in fields if isinstance(a, AddTags | RemoveTags)]
    keeps: list[list[Action]] = []
    if isinstance(comment, PublicReply):
        keeps.append([])
    else:
        if any(isinstance(a, Assign) for a in fields):
            keeps.append([a for a in fields if not isinstance(a, Assign)])
        keeps.append(tags)
    options: list[Batch] = []
    for kept in keeps:
        if tuple(kept) in (o[1:-1] for o in options):
            continue
        note = InternalNote(body=_note(comment, _dropped(batch, kept), failure))
        options.append((note, *kept, AddTags(tags=(REJECTED_TAG,))))
    options.append((InternalNote(body=_note(comment, _dropped(batch, []), failure)),))
    return options


def _dropped(batch: Batch, kept: Sequence[Action]) -> list[Action]:
    return [a for a in batch if a not in kept and not isinstance(a, InternalNote)]


def _note(comment: Action | None, dropped: Sequence[Action], failure: str) -> str:
    """The fallback note: what was not done and why, then the original comment."""
    undone = "; ".join(describe(a) for a in dropped)
    lines = [f"Handoff could not write everything it planned on this ticket: the helpdesk "
             f"refused it ({failure})."]
    if undone:
        lines.append(f"Not done: {undone}. Please see to it by hand.")
    text = "\n".join(lines)
    if isinstance(comment, PublicReply):
        return (f"{text}\n\nThe customer has not been sent this message; please answer "
                f"them yourself:\n\n{comment.body}")
    if isinstance(comment, InternalNote):
        return f"{text}\n\n{comment.body}"
    return text


def describe(action: Action) -> str:
    """One write in a few words, as an agent would do it by hand."""
    if isinstance(action, Assign):
        parts = [f"group {action.group}" if action.group else "",
                 f"agent {action.assignee}" if action.assignee else ""]
        return "assign to " + " and ".join(p for p in parts if p)
    if isinstance(action, SetPriority):
        return f"set priority {action.priority.value}"
    if isinstance(action, SetStatus):
        return f"set status {action.status.value}"
    if isinstance(action, AddTags):
        return "add tags " + ", ".join(action.tags)
    if isinstance(action, RemoveTags):
        return "remove tags " + ", ".join(action.tags)
    if isinstance(action, PublicReply):
        return "send the public reply"
    return "write the note"
