"""Offer, don't force: soft triggers can offer a person instead of escalating at once.

Soft triggers are ``frustration`` (only mild: below ``policy.strong_frustration``),
``loop`` and ``sla_risk``. One listed in ``policy.offer_human`` does not force an
escalation: when the ticket would otherwise auto-resolve or draft, the reply ends
with an offer ("Would you like me to connect you with a person?"), the ticket is
left pending instead of solved, and the decision records ``human_offered``.

On the customer's next message (read from the thread, so nothing is stored):
- the AI's previous public message carried the offer and the customer says yes
  ("yes please", "sí", "oui", "ja"...): a ``human_request`` signal, so the ticket
  escalates at once on the human-request route;
- they decline ("no thanks, I'm fine"): the ticket stays with the AI; a bare
  decline is acknowledged and solved (``human_declined``);
- a trigger offered once on a thread (tag ``handoff_offered_<trigger>``) is never
  offered again there, nor forced: the customer has had the choice.
An explicit request for a person is a ``human_request`` signal and is never
merely offered. Pure: nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core import phrasebook
from core.context import LOOP, SLA_RISK
from core.frustration import FRUSTRATION
from core.language import language_of
from core.language_settings import LanguageSettings
from core.messages import line
from core.models import Action, AddTags, Path, Reason, Role, SetStatus, Signal, Status, Ticket
from core.phrasebook import all_triggers
from core.policy import Verdict, strong
from core.scorer import Answer
from core.settings import PolicySettings
from core.text import straighten
from core.triggers import HIGH_RISK, HUMAN_REQUEST, VIP

HUMAN_OFFERED = "human_offered"
HUMAN_DECLINED = "human_declined"
OFFERED_TAG = "handoff_human_offered"
OFFERED_TRIGGER_TAG = "handoff_offered_"
SOFT_TRIGGERS = (FRUSTRATION, LOOP, SLA_RISK)
# A bare answer to the offer is short; a longer message is a new question.
ANSWER_WORDS = 8

OFFER_LINES = {code: t["offer"] for code, t in phrasebook.templates().items() if "offer" in t}
DECLINED_LINES = {code: t["declined"] for code, t in phrasebook.templates().items()
                  if "declined" in t}
_YES_WORDS = (r"yes|yeah|yep|yup|sure|ok(ay)?|please( do)?|go ahead|that would be (great|good)|"
              r"s[ií]|claro|vale|por favor|oui|d'accord|volontiers|ja|gerne|bitte|sim|pode ser")
_NO_WORDS = (r"no|nope|nah|not now|not needed|no need|non|nein|n[ãa]o|"
             r"i'?m (fine|good|ok(ay)?)|all good|that'?s ok(ay)?")
_YES = re.compile(rf"^(?:{'|'.join((_YES_WORDS, *all_triggers('yes')))})\b", re.IGNORECASE)
_NO = re.compile(rf"^(?:{'|'.join((_NO_WORDS, *all_triggers('no')))})\b", re.IGNORECASE)


def offer_line(language: str, settings: LanguageSettings | None = None) -> str:
    """The offer of a person in `language` (else the fallback language)."""
    return line("offer", language, settings)


def offer_standing(ticket: Ticket, settings: LanguageSettings | None = None) -> bool:
    """Whether the last public message before the customer's newest one (by the AI, or
    an agent who sent a draft) carried the offer, in any language."""
    public = [m for m in ticket.messages if m.public]
    if len(public) < 2 or public[-1].author is not Role.CUSTOMER:
        return False
    before = next((m for m in reversed(public[:-1]) if m.author is not Role.CUSTOMER), None)
    if before is None:
        return False
    text = straighten(before.text)
    configured = (t["offer"] for t in (settings or LanguageSettings()).templates.values()
                  if "offer" in t)
    return any(straighten(offer) in text for offer in (*OFFER_LINES.values(), *configured))


def reply_to_offer(text: str) -> str | None:
    """``accept``, ``decline`` or None (not an answer to the offer) for a customer message."""
    folded = straighten(text).strip().lstrip("¿¡").lower()
    if _NO.match(folded):
        return "decline"
    if _YES.match(folded):
        return "accept"
    return None


@dataclass(frozen=True)
class OfferState:
    """What the thread says about the offer, and what policy should see."""

    signals: tuple[Signal, ...]
    to_offer: tuple[str, ...] = ()
    answer: str | None = None
    bare: bool = False
    language: str = "en"
    forced: tuple[str, ...] = field(default=())
    languages: LanguageSettings | None = None

    def settle(self, verdict: Verdict, answer: Answer | None) -> tuple[Verdict, Answer | None]:
        """The verdict and answer with the offer added, or a bare decline acknowledged."""
        if self.answer == "decline" and self.bare and not _forced(verdict):
            vip = any(s.name == VIP for s in self.signals)
            reason = Reason(code=HUMAN_DECLINED, rule="policy.offer_human",
                            detail="the customer declined the offer of a person")
            ack = line("declined", self.language, self.languages)
            done = Answer(reply=ack, confidence=1.0)
            return Verdict(Path.DRAFT if vip else Path.AUTO_RESOLVE, (reason,)), done
        if not self.to_offer or answer is None or answer.reply is None:
            return verdict, answer
        if verdict.path not in (Path.AUTO_RESOLVE, Path.DRAFT):
            return verdict, answer
        detail = (f"{', '.join(self.to_offer)} fired; a person is offered instead of "
                  "escalating at once")
        offered = Reason(code=HUMAN_OFFERED, rule="policy.offer_human", detail=detail)
        reply = f"{answer.reply.rstrip()}\n\n{offer_line(self.language, self.languages)}"
        return (Verdict(verdict.path, (*verdict.reasons, offered)),
                answer.model_copy(update={"reply": reply}))

    def finish(self, actions: Sequence[Action], reasons: Sequence[Reason]) -> tuple[Action, ...]:
        """With an offer made: tag it (per trigger) and leave the ticket pending, not solved."""
        if not any(r.code == HUMAN_OFFERED for r in reasons):
            return tuple(actions)
        tags = (OFFERED_TAG, *(OFFERED_TRIGGER_TAG + t for t in self.to_offer))
        changed: list[Action] = []
        for action in actions:
            if isinstance(action, SetStatus) and action.status is Status.SOLVED:
                action = SetStatus(status=Status.PENDING)
            elif isinstance(action, AddTags):
                action = AddTags(tags=(*action.tags, *tags))
            changed.append(action)
        return tuple(changed)


def assess(ticket: Ticket, signals: Sequence[Signal], policy: PolicySettings,
           languages: LanguageSettings | None = None) -> OfferState:
    """Read the offer's state from the thread and decide what policy sees."""
    language = language_of(signals)
    customer = ticket.customer_messages()
    newest = customer[-1].text if customer else ""
    answer = reply_to_offer(newest) if offer_standing(ticket, languages) else None
    bare = answer is not None and len(newest.split()) <= ANSWER_WORDS and "?" not in newest
    kept = list(signals)
    asked = any(s.name == HUMAN_REQUEST for s in signals)
    if answer == "accept" and not asked:
        kept.insert(0, Signal(name=HUMAN_REQUEST, value="policy.offer_human (accepted)",
                              evidence=newest.strip()[:120]))
        asked = True
    offered = {t[len(OFFERED_TRIGGER_TAG):] for t in ticket.tags
               if t.startswith(OFFERED_TRIGGER_TAG)}
    soft = [s.name for s in signals if offerable(s, policy)]
    kept = [s for s in kept if s.name not in soft]
    to_offer = () if asked else tuple(n for n in soft if n not in offered)
    return OfferState(tuple(kept), to_offer, answer, bare, language, languages=languages)


def offerable(signal: Signal, policy: PolicySettings) -> bool:
    """A soft trigger listed in ``policy.offer_human``; strong frustration never is."""
    if signal.name not in SOFT_TRIGGERS or signal.name not in policy.offer_human:
        return False
    if signal.name == FRUSTRATION:
        return not strong(signal, policy)
    return True


def _forced(verdict: Verdict) -> bool:
    forcing = (HUMAN_REQUEST, HIGH_RISK, LOOP, FRUSTRATION, SLA_RISK, "rule")
    return any(r.code.split(":", 1)[0] in forcing for r in verdict.reasons)
