"""The decision engine: one ticket in, one `Decision` out.

    guards -> signals -> rules -> answer -> policy -> actions

Pure and deterministic: no I/O, no clock, no randomness, so the same ticket,
scorer and settings always give the same Decision. The engine never looks at
anything but the ticket's own fields (evaluation labels never reach it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.actions import plan
from core.errors import ScorerError
from core.guards import EscalationState, guard
from core.handoff_note import draft_note, handoff_note
from core.ladder import with_ladder
from core.ladder_settings import EscalationSettings
from core.language import knowledge_cap, language_of, language_signal
from core.language_settings import LanguageSettings
from core.messages import closed, framed
from core.models import Action, Decision, InternalNote, Path, Reason, Ticket
from core.offer import assess
from core.policy import Verdict, choose
from core.rule_settings import RulesSettings
from core.rules import evaluate, with_rules
from core.scorer import Answer, Scorer
from core.settings import (
    ExclusionSettings,
    HumanFirstSettings,
    PolicySettings,
    RoutingSettings,
    TagSettings,
    TriggerSettings,
)
from core.triggers import article_topics, detect


class EngineSettings(Protocol):
    """The sections of `core.settings.Settings` a decision reads, and nothing else.

    `Settings` has them all, so callers pass their settings as they are; the engine
    cannot reach the platforms, the queue or anything else a decision must not depend on.
    """

    @property
    def exclusions(self) -> ExclusionSettings: ...

    @property
    def tags(self) -> TagSettings: ...

    @property
    def human_first(self) -> HumanFirstSettings: ...

    @property
    def triggers(self) -> TriggerSettings: ...

    @property
    def policy(self) -> PolicySettings: ...

    @property
    def rules(self) -> RulesSettings: ...

    @property
    def routing(self) -> RoutingSettings: ...

    @property
    def escalation(self) -> EscalationSettings: ...

    @property
    def language(self) -> LanguageSettings: ...


def decide(
    ticket: Ticket, scorer: Scorer, settings: EngineSettings, now: datetime | None = None,
    escalation: EscalationState | None = None,
) -> Decision:
    """Decide what to do with `ticket` and plan the writes.

    `now` is the time SLA risk is measured from; by default the ticket's latest
    activity, so the engine itself never reads a clock. `escalation` is what the
    decision log knows of the ticket's escalations (`core.guards`).
    A `ScorerError` from `scorer` is not raised: the ticket escalates with reason
    ``ai_unavailable``. Any other exception from the scorer is a bug and propagates.
    """
    skip = guard(ticket, settings.exclusions, escalation=escalation, tags=settings.tags,
                 human_first=settings.human_first)
    if skip is not None:
        return Decision(
            ticket_id=ticket.id,
            platform=ticket.platform,
            path=Path.SKIP,
            confidence=0.0,
            reasons=(skip,),
            language=str(language_signal(ticket, settings.language).value),
        )
    signals = detect(ticket, settings.triggers, scorer.frustration, now, settings.language,
                     scorer.human_model)
    offer = assess(ticket, signals, settings.policy, settings.language)
    ruling = evaluate(settings.rules, ticket, signals, now or last_activity(ticket),
                      settings.routing.business_hours)
    if ruling.action == "exclude":
        return Decision(ticket_id=ticket.id, platform=ticket.platform, path=Path.SKIP,
                        confidence=0.0, signals=signals, reasons=ruling.reasons,
                        language=language_of(signals, settings.language.default))
    answer, failure = _answer(ticket, scorer)
    risk = article_topics(answer.doc, settings.triggers) if answer and answer.doc else ()
    ruled = (ruling.action, ruling.action_reason) \
        if ruling.action and ruling.action_reason else None
    language = language_of(signals, settings.language.default)
    doc = answer.doc if answer else None
    cap = knowledge_cap(doc.locale, language, settings.language,
                        settings.triggers.knowledge_languages) if doc else None
    verdict = choose(offer.signals, answer, failure, settings.policy, risk, (), ruled, cap)
    verdict = Verdict(verdict.path, tuple(dict.fromkeys((*verdict.reasons, *ruling.reasons))))
    if answer and answer.reply and verdict.path is Path.AUTO_RESOLVE:
        # Framed before the offer of a person is added, so that question ends the reply.
        link = f"[{_bracket_free(doc.title)}]({doc.url})" if doc and doc.url else None
        reply = framed(answer.reply, ticket.requester.name, language, settings.language, link)
        answer = answer.model_copy(update={"reply": reply})
    verdict, answer = offer.settle(verdict, answer)
    note = ""
    if verdict.path is Path.ESCALATE:
        note = handoff_note(ticket, verdict.reasons, signals, answer, failure)
    elif verdict.path is Path.DRAFT and answer is not None:
        note = draft_note(answer, verdict.reasons)
    actions = _shadowed(verdict.path, verdict.reasons, note, settings.policy)
    if actions is None:
        actions = with_rules(
            plan(verdict.path, verdict.reasons, answer.reply if answer else None, note,
                 settings.tags, settings.routing, language,
                 closed(settings.routing.business_hours, now or last_activity(ticket)),
                 settings.language),
            verdict.path, ruling)
        actions = offer.finish(actions, verdict.reasons)
    return with_ladder(Decision(
        ticket_id=ticket.id,
        platform=ticket.platform,
        path=verdict.path,
        confidence=answer.confidence if answer else 0.0,
        signals=signals,
        reasons=verdict.reasons,
        sources=answer.sources if answer else (),
        reply=answer.reply if answer else None,
        actions=actions,
        ladder=ruling.ladder if verdict.path is Path.ESCALATE else None,
        language=language,
    ), settings.escalation)


def _bracket_free(title: str) -> str:
    return title.replace("[", "(").replace("]", ")")


def last_activity(ticket: Ticket) -> datetime | None:
    """The newest message's time, else the ticket's update time: the engine's `now`."""
    times = [m.created_at for m in ticket.messages]
    return max(times) if times else ticket.updated_at


def _shadowed(
    path: Path, reasons: tuple[Reason, ...], note: str, policy: PolicySettings
) -> tuple[Action, ...] | None:
    """Shadow mode's writes (at most one internal note), or None outside shadow mode."""
    if policy.mode != "shadow":
        return None
    if not policy.shadow_note:
        return ()
    why = "; ".join(f"{r.code} ({r.rule})" for r in reasons)
    body = f"Shadow mode: Handoff would have chosen {path.value}. Why: {why}."
    return (InternalNote(body=f"{body}\n\n{note}" if note else body),)


def _answer(ticket: Ticket, scorer: Scorer) -> tuple[Answer | None, str]:
    try:
        return scorer.answer(ticket), ""
    except ScorerError as exc:
        return None, str(exc) or type(exc).__name__
