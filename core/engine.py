"""The decision engine: one ticket in, one `Decision` out.

    guards -> signals -> answer -> policy -> actions

Pure and deterministic: no I/O, no clock, no randomness, so the same ticket,
scorer and settings always give the same Decision. The engine never looks at
anything but the ticket's own fields (evaluation labels never reach it).
"""

from __future__ import annotations

from core.actions import plan
from core.errors import ScorerError
from core.guards import guard
from core.handoff_note import draft_note, handoff_note
from core.models import Decision, Path, Ticket
from core.policy import choose
from core.scorer import Answer, Scorer
from core.settings import Settings
from core.triggers import article_topics, detect


def decide(ticket: Ticket, scorer: Scorer, settings: Settings) -> Decision:
    """Decide what to do with `ticket` and plan the writes.

    A `ScorerError` from `scorer` is not raised: the ticket escalates with reason
    ``ai_unavailable``. Any other exception from the scorer is a bug and propagates.
    """
    skip = guard(ticket, settings.exclusions)
    if skip is not None:
        return Decision(
            ticket_id=ticket.id,
            platform=ticket.platform,
            path=Path.SKIP,
            confidence=0.0,
            reasons=(skip,),
        )
    signals = detect(ticket, settings.triggers, getattr(scorer, "frustration", None))
    answer, failure = _answer(ticket, scorer)
    risk = article_topics(answer.doc, settings.triggers) if answer and answer.doc else ()
    verdict = choose(signals, answer, failure, settings.policy, risk)
    note = ""
    if verdict.path is Path.ESCALATE:
        note = handoff_note(ticket, verdict.reasons, signals, answer, failure)
    elif verdict.path is Path.DRAFT and answer is not None:
        note = draft_note(answer, verdict.reasons)
    return Decision(
        ticket_id=ticket.id,
        platform=ticket.platform,
        path=verdict.path,
        confidence=answer.confidence if answer else 0.0,
        signals=signals,
        reasons=verdict.reasons,
        sources=answer.sources if answer else (),
        reply=answer.reply if answer else None,
        actions=plan(
            verdict.path,
            verdict.reasons,
            answer.reply if answer else None,
            note,
            settings.tags,
            settings.routing,
        ),
    )


def _answer(ticket: Ticket, scorer: Scorer) -> tuple[Answer | None, str]:
    try:
        return scorer.answer(ticket), ""
    except ScorerError as exc:
        return None, str(exc) or type(exc).__name__
