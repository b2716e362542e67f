"""A customer's newest message with a file is never auto-resolved from its text alone
(issue 19, 2): it is drafted, with reason ``attachment``, or escalated as any ticket."""

from __future__ import annotations

from core.engine import decide
from core.models import Attachment, Path, Role, Ticket
from core.scorer import LexicalScorer
from core.settings import PolicySettings, Settings
from tests.core.helpers import ticket

ANSWERABLE = "I forgot my password and can't log in to my account"
PHOTO = Attachment(name="screenshot.png", content_type="image/png", size=20_480)


def with_files(source: Ticket, index: int, *files: Attachment) -> Ticket:
    messages = list(source.messages)
    messages[index] = messages[index].model_copy(update={"attachments": files})
    return source.model_copy(update={"messages": tuple(messages)})


def test_an_answerable_ticket_with_a_file_on_the_newest_message_is_a_draft(
    scorer: LexicalScorer, settings: Settings,
) -> None:
    plain = decide(ticket(ANSWERABLE), scorer, settings)
    attached = decide(with_files(ticket(ANSWERABLE), 0, PHOTO, Attachment(name="log.txt")),
                      scorer, settings)

    assert plain.path is Path.AUTO_RESOLVE
    assert attached.path is Path.DRAFT
    [reason] = attached.reasons
    assert (reason.code, reason.rule) == ("attachment",
                                          "policy.never_auto_resolve_attachments")
    assert "2 file(s): screenshot.png, log.txt" in reason.detail
    assert "attachment" in {s.name for s in attached.signals}


def test_a_file_on_an_earlier_message_does_not_hold_back_the_answer(
    scorer: LexicalScorer, settings: Settings,
) -> None:
    thread = ticket("Here is my order confirmation.", "Thanks, noted.", ANSWERABLE,
                    authors=(Role.CUSTOMER, Role.AI, Role.CUSTOMER))

    decision = decide(with_files(thread, 0, PHOTO), scorer, settings)

    assert "attachment" not in {s.name for s in decision.signals}
    assert decision.path is Path.AUTO_RESOLVE


def test_a_team_may_let_the_ai_answer_past_files(scorer: LexicalScorer) -> None:
    settings = Settings(policy=PolicySettings(never_auto_resolve_attachments=False))

    decision = decide(with_files(ticket(ANSWERABLE), 0, PHOTO), scorer, settings)

    assert decision.path is Path.AUTO_RESOLVE


def test_an_unanswerable_ticket_with_a_file_still_escalates(
    scorer: LexicalScorer, settings: Settings,
) -> None:
    decision = decide(with_files(ticket("The blue widget hums when the moon is full."), 0,
                                 PHOTO), scorer, settings)

    assert decision.path is Path.ESCALATE
