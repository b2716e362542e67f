"""Policy: turn signals and the scorer's answer into a path and its reasons.

In order, the first that applies wins:
1. a human request, a high-risk topic, a loop, strong frustration (score at or above
   ``policy.strong_frustration``), SLA risk (``policy.escalate_on_sla_risk``), or no
   answer at all (the scorer failed) escalate, with one reason each; the engine leaves
   out soft triggers that `core.offer` offers instead (``policy.offer_human``);
2. an answer without grounding (no reply or no sources) escalates as ``low_confidence``;
3. confidence at or above ``policy.auto_resolve_threshold`` auto-resolves, except
   that a VIP, or a reply with an unfilled template gap, becomes a draft;
4. confidence at or above ``policy.draft_threshold`` drafts;
5. anything else escalates as ``low_confidence``.
A VIP on an escalation adds a ``vip`` reason, so routing and tags can see it.
The first reason is the primary one: it picks the customer message and next step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.context import ATTACHMENT, LANGUAGE, LOOP, SLA_RISK, UNDETERMINED
from core.frustration import FRUSTRATION
from core.models import Path, Reason, Signal
from core.scorer import Answer
from core.settings import PolicySettings
from core.text import unfilled_placeholders
from core.triggers import HIGH_RISK, HUMAN_REQUEST, VIP

AI_UNAVAILABLE = "ai_unavailable"
HIGH_CONFIDENCE = "high_confidence"
MEDIUM_CONFIDENCE = "medium_confidence"
LOW_CONFIDENCE = "low_confidence"
UNFILLED_PLACEHOLDER = "unfilled_placeholder"
NEVER_AUTO = "never_auto_resolve"
AI_NEEDS_HUMAN = "ai_needs_human"
DRAFT_ONLY = "draft_only"


@dataclass(frozen=True)
class Verdict:
    """The chosen path and why, primary reason first."""

    path: Path
    reasons: tuple[Reason, ...]


def choose(
    signals: Sequence[Signal],
    answer: Answer | None,
    failure: str,
    policy: PolicySettings,
    article_risk: Sequence[str] = (),
    languages: Sequence[str] = (),
    ruled: tuple[str, Reason] | None = None,
    locale_cap: tuple[str, str] | None = None,
) -> Verdict:
    """Pick the path for a ticket that passed the guards. Never raises.

    `answer` is None when the scorer failed, and `failure` then says why.
    `article_risk` lists the high-risk topics the best article itself answers;
    such an article can be drafted but never auto-resolves. `ruled` is a policy
    rule's action (``escalate``, ``draft``, ``never_auto_resolve``) and its reason: a
    rule's escalation joins the forced ones, a rule's draft replaces the
    confidence test (it still needs a grounded answer), and ``never_auto_resolve``
    caps at a draft. `locale_cap` is (rule, why) when the article is not in the
    customer's language (`core.language.knowledge_cap`): it caps at a draft too.
    """
    vip = next((s for s in signals if s.name == VIP), None)
    forced = [_signal_reason(s) for s in signals if _forces_escalation(s, policy)]
    action, rule_reason = ruled if ruled else (None, None)
    if action == "escalate" and rule_reason is not None:
        forced.append(rule_reason)
    if answer is None:
        forced.append(Reason(code=AI_UNAVAILABLE, rule="scorer", detail=failure))
    if forced or answer is None:
        return _escalate(forced, vip)
    category = answer.doc.category if answer.doc else None
    auto_at, draft_at, where = policy.thresholds(category)
    auto_rule = f"{where}.auto_resolve_threshold={auto_at:g}"
    draft_rule = f"{where}.draft_threshold={draft_at:g}"
    shown = f"confidence {answer.confidence:.2f}" + (f" ({answer.doc.id})" if answer.doc else "")
    if answer.needs_human:
        detail = "the AI model said a person should handle this ticket"
        return _escalate([Reason(code=AI_NEEDS_HUMAN, rule="scorer.needs_human", detail=detail)],
                         vip)
    if answer.reply is None or not answer.sources:
        detail = "no knowledge article supports an answer"
        return _escalate([Reason(code=LOW_CONFIDENCE, rule="policy.grounded", detail=detail)], vip)
    if action == "draft" and rule_reason is not None:
        return Verdict(Path.DRAFT, (rule_reason,))
    capped = locale_cap or _never_auto(signals, article_risk, category, policy, languages)
    if capped is None and action == "never_auto_resolve" and rule_reason is not None:
        capped = rule_reason.rule, f"policy rule {rule_reason.rule.split(' ', 1)[-1]!r} applies"
    if answer.confidence >= auto_at:
        if capped is not None:
            rule, why = capped
            return _one(Path.DRAFT, NEVER_AUTO, rule, f"{shown}, but {why}")
        attached = next((s for s in signals if s.name == ATTACHMENT), None)
        if attached is not None and policy.never_auto_resolve_attachments:
            return _one(Path.DRAFT, ATTACHMENT, str(attached.value),
                        f"{shown}, but the customer's newest message carries "
                        f"{attached.evidence}; the text alone does not tell what they show")
        verdict = _confident(answer, vip, auto_rule, shown)
        if verdict.path is Path.AUTO_RESOLVE and policy.mode == "draft_only":
            return _one(Path.DRAFT, DRAFT_ONLY, "policy.mode=draft_only",
                        f"{shown} would auto-resolve; draft-only mode reviews every reply")
        return verdict
    if answer.confidence >= draft_at:
        return _one(Path.DRAFT, MEDIUM_CONFIDENCE, draft_rule, f"{shown} is below auto-resolve")
    detail = f"{shown} is below the draft threshold"
    return _escalate([Reason(code=LOW_CONFIDENCE, rule=draft_rule, detail=detail)], vip)


def _never_auto(
    signals: Sequence[Signal], article_risk: Sequence[str], category: str | None,
    policy: PolicySettings, languages: Sequence[str] = (),
) -> tuple[str, str] | None:
    """(rule, why) when something caps the path at a draft, else None."""
    language = next((str(s.value) for s in signals if s.name == LANGUAGE), UNDETERMINED)
    if languages and language != UNDETERMINED and language not in languages:
        return "triggers.knowledge_languages", f"the knowledge base has no {language} articles"
    for signal in signals:
        if signal.name.startswith(f"{HIGH_RISK}:"):
            topic = signal.name.split(":", 1)[1]
            return "policy.never_auto_resolve", f"the ticket raises {topic}"
    if category and category in policy.never_auto_resolve:
        return "policy.never_auto_resolve", f"category {category} is never auto-resolved"
    if article_risk:
        why = f"the article answers a high-risk topic ({article_risk[0]})"
        return "policy.never_auto_resolve_high_risk_articles", why
    return None


def _confident(answer: Answer, vip: Signal | None, rule: str, shown: str) -> Verdict:
    if vip is not None:
        detail = f"{shown} would auto-resolve, but a VIP's reply is always reviewed"
        return _one(Path.DRAFT, VIP, "policy.never_auto_resolve_vip", detail)
    gaps = unfilled_placeholders(answer.reply or "")
    if gaps:
        detail = f"{shown}, but the reply still contains {', '.join(gaps[:3])}"
        return _one(Path.DRAFT, UNFILLED_PLACEHOLDER, "policy.no_unfilled_reply", detail)
    return _one(Path.AUTO_RESOLVE, HIGH_CONFIDENCE, rule, shown)


def _one(path: Path, code: str, rule: str, detail: str) -> Verdict:
    return Verdict(path, (Reason(code=code, rule=rule, detail=detail),))


def _escalate(reasons: list[Reason], vip: Signal | None) -> Verdict:
    if vip is not None:
        reasons.append(Reason(code=VIP, rule=str(vip.value), detail=vip.evidence))
    return Verdict(Path.ESCALATE, tuple(reasons))


def _forces_escalation(signal: Signal, policy: PolicySettings) -> bool:
    if signal.name in (HUMAN_REQUEST, LOOP):
        return True
    if signal.name == FRUSTRATION:
        return strong(signal, policy)
    if signal.name == SLA_RISK:
        return policy.escalate_on_sla_risk
    if signal.name.startswith(f"{HIGH_RISK}:"):
        return policy.escalates(signal.name.split(":", 1)[1])
    return False


def strong(signal: Signal, policy: PolicySettings) -> bool:
    """Whether a ``frustration`` signal's score reaches ``policy.strong_frustration``."""
    value = signal.value
    score = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
    return score >= policy.strong_frustration


def _signal_reason(signal: Signal) -> Reason:
    if signal.name in (LOOP, SLA_RISK):
        return Reason(code=signal.name, rule=str(signal.value), detail=signal.evidence)
    if signal.name == FRUSTRATION:
        return Reason(code=FRUSTRATION, rule=f"policy.strong_frustration (score {signal.value})",
                      detail=signal.evidence)
    what = "asked for a person" if signal.name == HUMAN_REQUEST else "raised a high-risk topic"
    return Reason(
        code=signal.name, rule=str(signal.value), detail=f'the customer {what}: "{signal.evidence}"'
    )


def family(code: str) -> str:
    """The family of a reason code: ``high_risk`` for ``high_risk:refund``."""
    return code.split(":", 1)[0]


def for_primary(table: Mapping[str, str], reasons: Sequence[Reason], default: str) -> str:
    """`table`'s entry for the primary reason's code, else for its family, else `default`."""
    if not reasons:
        return default
    code = reasons[0].code
    return table.get(code) or table.get(family(code), default)
