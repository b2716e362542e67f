from __future__ import annotations

import pytest

from core.knowledge import KnowledgeDoc
from core.scorer import LexicalScorer
from core.settings import Settings
from tests.core.helpers import knowledge


@pytest.fixture(scope="session")
def docs() -> tuple[KnowledgeDoc, ...]:
    return knowledge()


@pytest.fixture(scope="session")
def scorer(docs: tuple[KnowledgeDoc, ...]) -> LexicalScorer:
    return LexicalScorer(docs)


@pytest.fixture
def settings() -> Settings:
    return Settings()
