from __future__ import annotations

import pytest

from core.errors import ConfigError
from core.knowledge import KnowledgeDoc, parse_article, parse_articles

GOOD = """---
id: track_order
title: Track your order
category: ORDERS
examples:
  - Where is my order?
  - How do I track my parcel?
---
Hi {{requester.first_name}},

Open **Account > Orders**.
"""


def test_parses_front_matter_and_body() -> None:
    doc = parse_article(GOOD, "kb/track_order.md")

    assert doc == KnowledgeDoc(
        id="track_order",
        title="Track your order",
        category="ORDERS",
        examples=("Where is my order?", "How do I track my parcel?"),
        body="Hi {{requester.first_name}},\n\nOpen **Account > Orders**.",
    )


def test_accepts_flow_style_lists_and_crlf() -> None:
    text = (
        '---\r\nid: "a"\r\ntitle: "T"\r\ncategory: "C"\r\nexamples: ["q1", "q2"]\r\n---\r\nBody\r\n'
    )

    doc = parse_article(text, "a.md")

    assert (doc.id, doc.examples, doc.body) == ("a", ("q1", "q2"), "Body")


def test_a_later_dash_line_in_the_body_is_body() -> None:
    doc = parse_article(GOOD + "\n---\nMore.\n", "a.md")

    assert doc.body.endswith("---\nMore.")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter here", "no front matter"),
        ("---\nid: [unclosed\n---\nbody", "not valid YAML"),
        ("---\n- a list\n---\nbody", "must be a mapping"),
        (GOOD.replace("category: ORDERS\n", ""), "missing front-matter key 'category'"),
        (
            GOOD.replace("category: ORDERS", "category: ORDERS\nauthor: me"),
            "unknown front-matter key(s) author",
        ),
        (GOOD.replace("id: track_order", "id: 42"), "'id' must be a string"),
        (GOOD.replace("id: track_order", "id: has space"), "'id' must be a string"),
        (
            GOOD.replace("title: Track your order", "title: ''"),
            "'title' must be a non-empty string",
        ),
        (
            GOOD.replace(
                "examples:\n  - Where is my order?\n  - How do I track my parcel?", "examples: []"
            ),
            "'examples' must be a non-empty list",
        ),
        (
            GOOD.replace(
                "examples:\n  - Where is my order?\n  - How do I track my parcel?",
                "examples: just one",
            ),
            "'examples' must be a non-empty list",
        ),
        (GOOD.replace("  - Where is my order?", "  - 7"), "'examples' must hold non-empty strings"),
        (
            GOOD.split("---\n", 2)[0] + "---\n" + GOOD.split("---\n", 2)[1] + "---\n\n  \n",
            "body (the answer) is empty",
        ),
    ],
)
def test_bad_articles_name_the_source_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_article(text, "kb/broken.md")

    assert str(info.value).startswith("kb/broken.md: ")
    assert message in str(info.value)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"b\.md: id 'track_order' is already used by a\.md"):
        parse_articles([("a.md", GOOD), ("b.md", GOOD)])


def test_sample_knowledge_base_parses(docs: tuple[KnowledgeDoc, ...]) -> None:
    assert len(docs) >= 8
    assert all(3 <= len(d.examples) <= 6 for d in docs)
