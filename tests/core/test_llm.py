"""LLM scorers over httpx, faked at the transport with respx."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from connectors.llm import AnthropicMessages, HttpChat, OpenAIChat
from core.engine import decide
from core.errors import ScorerError
from core.llm import LLMScorer
from core.models import Path
from core.retrieval import HybridScorer
from core.settings import Settings
from tests.core.fakes import HashEmbedder
from tests.core.helpers import DOCS, ticket

BASE = "https://llm.example.com"
QUESTION = ticket("I forgot my password, how do I reset it?")


@pytest.fixture(scope="module")
def retriever() -> HybridScorer:
    return HybridScorer(DOCS, HashEmbedder(), constants={"Order Page": "Orders"})


def openai_reply(content: object) -> httpx.Response:
    text = content if isinstance(content, str) else json.dumps(content)
    return httpx.Response(200, json={"choices": [{"message": {"content": text}}]})


def scorer(retriever: HybridScorer, provider: str = "openai") -> LLMScorer:
    chosen = (OpenAIChat("gpt-test", "sk-test") if provider == "openai"
              else AnthropicMessages("claude-test", "ak-test"))
    return LLMScorer(retriever, HttpChat(chosen, httpx.Client(base_url=BASE, timeout=2.0)))


GOOD = {"answer": "Use the reset link on the sign-in page.", "sources": ["password"],
        "confidence": 0.97, "needs_human": False}


@respx.mock
def test_openai_good_answer_is_grounded_and_sends_the_right_request(
    retriever: HybridScorer,
) -> None:
    route = respx.post(f"{BASE}/chat/completions").mock(return_value=openai_reply(GOOD))
    answer = scorer(retriever).answer(QUESTION)
    assert [s.id for s in answer.sources] == ["password"]
    assert answer.reply == GOOD["answer"]
    assert answer.confidence <= GOOD["confidence"]
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer sk-test"
    body = json.loads(request.content)
    assert body["model"] == "gpt-test"
    assert "id: password" in body["messages"][1]["content"]


@respx.mock
def test_anthropic_good_answer(retriever: HybridScorer) -> None:
    route = respx.post(f"{BASE}/v1/messages").mock(return_value=httpx.Response(
        200, json={"content": [{"type": "text", "text": json.dumps(GOOD)}]}))
    answer = scorer(retriever, "anthropic").answer(QUESTION)
    assert [s.id for s in answer.sources] == ["password"]
    request = route.calls.last.request
    assert request.headers["x-api-key"] == "ak-test"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert json.loads(request.content)["system"]


@pytest.mark.parametrize("cited", [[], ["no_such_article"], ["password", "invented"]])
@respx.mock
def test_uncited_or_invented_sources_never_auto_resolve(
    retriever: HybridScorer, cited: list[str]
) -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=openai_reply({**GOOD, "sources": cited, "confidence": 1.0}))
    llm = scorer(retriever)
    answer = llm.answer(QUESTION)
    assert answer.sources == ()
    assert answer.confidence <= 0.3
    assert decide(QUESTION, llm, Settings()).path is not Path.AUTO_RESOLVE


@respx.mock
def test_timeout_escalates_as_ai_unavailable(retriever: HybridScorer) -> None:
    respx.post(f"{BASE}/chat/completions").mock(side_effect=httpx.ReadTimeout("slow"))
    llm = scorer(retriever)
    with pytest.raises(ScorerError, match="timed out"):
        llm.answer(QUESTION)
    decision = decide(QUESTION, llm, Settings())
    assert decision.path is Path.ESCALATE
    assert decision.reasons[0].code == "ai_unavailable"


@pytest.mark.parametrize(
    "response",
    [
        openai_reply("this is not JSON"),
        openai_reply({"sources": ["password"]}),
        httpx.Response(200, json={"choices": []}),
        httpx.Response(500, json={"error": "boom"}),
    ],
)
@respx.mock
def test_malformed_or_failed_replies_escalate(
    retriever: HybridScorer, response: httpx.Response
) -> None:
    respx.post(f"{BASE}/chat/completions").mock(return_value=response)
    decision = decide(QUESTION, scorer(retriever), Settings())
    assert decision.path is Path.ESCALATE
    assert decision.reasons[0].code == "ai_unavailable"


@respx.mock
def test_needs_human_flag_escalates(retriever: HybridScorer) -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=openai_reply({**GOOD, "needs_human": True}))
    decision = decide(QUESTION, scorer(retriever), Settings())
    assert decision.path is Path.ESCALATE
    assert decision.reasons[0].code == "ai_needs_human"
