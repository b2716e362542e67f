"""Simulation maths: canonical ticket rows in, decisions and quality metrics out.

`ticket_from_row` drops the evaluation `labels` before anything else sees the
row, so the engine can never read them. `Metrics` accumulates the figures the
evaluation README defines; nothing here touches the filesystem.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.errors import ScorerError
from core.models import Decision, Message, Requester, Role, Ticket
from core.scorer import Answer, Scorer

HUMAN_REQUEST = "human_request"
FRUSTRATION = "frustration"


def ticket_from_row(row: dict[str, Any], platform: str = "simulation") -> Ticket:
    """A Ticket from one canonical row; raises pydantic.ValidationError or KeyError on a bad row."""
    data = {k: v for k, v in row.items() if k != "labels"}
    messages = tuple(
        Message(
            author=Role(m["author"]),
            text=m.get("body", ""),
            public=m.get("public", True),
            created_at=_time(m["created_at"]),
        )
        for m in data.pop("messages", ())
    )
    requester = Requester(**{**data.pop("requester"), "tags": tuple(
        row["requester"].get("tags", ()))})
    data["tags"] = tuple(data.get("tags") or ())
    if data.get("sla_due_at"):
        data["sla_due_at"] = _time(data["sla_due_at"])
    return Ticket(platform=platform, requester=requester, messages=messages, **data)


def row_from_ticket(ticket: Ticket, labels: dict[str, Any] | None = None) -> dict[str, Any]:
    """The canonical row of `ticket` (what `ticket_from_row` reads back), with `labels`.

    The platform, message ids and HTML are left out: the canonical format has no
    place for them. Unset optional fields are omitted.
    """
    row = ticket.model_dump(mode="json", exclude={"platform", "messages", "requester"},
                            exclude_none=True)
    row["requester"] = ticket.requester.model_dump(mode="json", exclude_none=True)
    row["messages"] = [{"author": m.author.value, "body": m.text, "public": m.public,
                        "created_at": m.created_at.isoformat()} for m in ticket.messages]
    if labels is not None:
        row["labels"] = labels
    return row


class OnceScorer:
    """Wraps a scorer so each ticket is answered once, however many runs of the engine
    see it: comparing two settings over the same tickets then costs one scoring pass
    and both runs get the very same answers. A ScorerError is remembered and raised
    again, like the answer it stands for."""

    def __init__(self, scorer: Scorer) -> None:
        self._scorer = scorer
        self._answers: dict[int, tuple[Ticket, Answer | ScorerError]] = {}
        self.docs = scorer.docs
        self.frustration = scorer.frustration
        self.human_model = scorer.human_model

    def answer(self, ticket: Ticket) -> Answer:
        """The wrapped scorer's answer for `ticket`, computed on its first call."""
        kept = self._answers.get(id(ticket))
        if kept is None or kept[0] is not ticket:
            try:
                result: Answer | ScorerError = self._scorer.answer(ticket)
            except ScorerError as exc:
                result = exc
            # The ticket is kept with its answer, so its id() cannot be reused meanwhile.
            kept = self._answers[id(ticket)] = (ticket, result)
        if isinstance(kept[1], ScorerError):
            raise kept[1]
        return kept[1]


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def decision_row(decision: Decision) -> dict[str, Any]:
    """The JSON line `handoff simulate` writes for one decision."""
    return {
        "id": decision.ticket_id,
        "path": decision.path.value,
        "confidence": round(decision.confidence, 4),
        "language": decision.language,
        "signals": [s.name for s in decision.signals],
        "reasons": [{"code": r.code, "rule": r.rule} for r in decision.reasons],
        "sources": [s.id for s in decision.sources],
        "reply": decision.reply,
    }


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None or p + r == 0:
        return None
    return round(2 * p * r / (p + r), 4)


@dataclass
class Metrics:
    """Counts over (decision row, labels) pairs; `report` turns them into rates."""

    paths: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    labelled: int = 0

    def add(self, row: dict[str, Any], labels: dict[str, Any] | None) -> None:
        """Count one decision; `labels` is the ticket's labels or None."""
        path = row["path"]
        self.paths[path] += 1
        if not labels:
            return
        self.labelled += 1
        c = self.counts
        signals = set(row["signals"])
        expect = labels.get("expect")
        if expect is not None:
            wanted = expect == "escalate" or HUMAN_REQUEST in labels.get("signals", ())
            fired = HUMAN_REQUEST in signals and path == "escalate"
            c["hr_tp"] += wanted and fired
            c["hr_fn"] += wanted and not fired
            c["hr_fp"] += fired and not wanted
            c[f"expect_{expect}"] += 1
            if path == "auto_resolve" and expect in ("escalate", "not_auto"):
                c["safety_violations"] += 1
            if expect == "auto":
                c[f"auto_{path}"] += 1
                top = row["sources"][0] if row["sources"] else None
                if path == "auto_resolve" and top != labels.get("intent"):
                    c["auto_wrong_article"] += 1
        if isinstance(labels.get("agent_article"), str):
            c["agent_labelled"] += 1
            if path == "auto_resolve":
                c["agent_auto"] += 1
                top = row["sources"][0] if row["sources"] else None
                c["agent_auto_other"] += top != labels["agent_article"]
        if "frustrated" in labels:
            gold, got = bool(labels["frustrated"]), FRUSTRATION in signals
            c["fr_tp"] += gold and got
            c["fr_fp"] += got and not gold
            c["fr_fn"] += gold and not got

    def report(self) -> dict[str, Any]:
        """The metrics of the evaluation README, None where there was nothing to measure."""
        c = self.counts
        out: dict[str, Any] = {"tickets": sum(self.paths.values()), "paths": dict(self.paths)}
        if c["expect_escalate"] or c["expect_auto"] or c["expect_not_auto"]:
            auto = c["expect_auto"]
            out["human_request_recall"] = _ratio(c["hr_tp"], c["hr_tp"] + c["hr_fn"])
            out["human_request_precision"] = _ratio(c["hr_tp"], c["hr_tp"] + c["hr_fp"])
            out["safety_violations"] = c["safety_violations"]
            out["auto_resolve_rate"] = _ratio(c["auto_auto_resolve"], auto)
            out["wrong_article_rate"] = _ratio(c["auto_wrong_article"], c["auto_auto_resolve"])
            out["unnecessary_escalation_rate"] = _ratio(c["auto_escalate"], auto)
            out["auto_draft_rate"] = _ratio(c["auto_draft"], auto)
        if c["agent_labelled"]:
            # Exported tickets: what the agent actually answered is the yardstick.
            out["agent_answered_tickets"] = c["agent_labelled"]
            out["auto_resolve_rate_on_agent_answered"] = _ratio(c["agent_auto"],
                                                                c["agent_labelled"])
            out["other_article_than_agent_rate"] = _ratio(c["agent_auto_other"], c["agent_auto"])
        if c["fr_tp"] + c["fr_fp"] + c["fr_fn"]:
            p = _ratio(c["fr_tp"], c["fr_tp"] + c["fr_fp"])
            r = _ratio(c["fr_tp"], c["fr_tp"] + c["fr_fn"])
            out["frustration_precision"], out["frustration_recall"] = p, r
            out["frustration_f1"] = _f1(p, r)
        return out
