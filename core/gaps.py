"""Knowledge gaps: answered tickets that matched no article, grouped by question.

`clusters` groups unit question embeddings greedily (each question joins the
nearest cluster whose centroid it is at least `SIMILAR` to, else starts one), in
the order given, so the same input gives the same clusters. `gap_report` turns
the clusters of at least `MIN_SIZE` tickets into what a support lead reads: how
many tickets, three representative questions (nearest the centroid), the
articles the learner hesitated between, and the agents' most typical reply (the
reply nearest the replies' centroid) as a draft article in the knowledge format.
Pure: vectors and strings in, dicts out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from core.embedding import Matrix

SIMILAR = 0.8
MIN_SIZE = 3
SHOWN = 3


@dataclass(frozen=True)
class GapTicket:
    """One abstained ticket: its question, the agent's cleaned reply, the best guess."""

    ticket_id: str
    question: str
    reply: str
    candidate: str | None


def clusters(vectors: Matrix, similar: float = SIMILAR) -> list[list[int]]:
    """Row indexes of `vectors` (unit rows) grouped greedily, biggest group first."""
    groups: list[list[int]] = []
    sums: list[np.ndarray] = []
    for index, vector in enumerate(vectors):
        if sums:
            centroids = np.stack(sums)
            centroids = centroids / np.maximum(np.linalg.norm(centroids, axis=1), 1e-9)[:, None]
            scores = centroids @ vector
            best = int(np.argmax(scores))
            if scores[best] >= similar:
                groups[best].append(index)
                sums[best] = sums[best] + vector
                continue
        groups.append([index])
        sums.append(vector.astype(np.float64))
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def _nearest(vectors: Matrix, members: Sequence[int], count: int) -> list[int]:
    centroid = vectors[list(members)].mean(axis=0)
    scores = vectors[list(members)] @ centroid
    order = np.lexsort((np.arange(len(members)), -scores))
    return [members[int(i)] for i in order[:count]]


def draft_article(slug: str, title: str, examples: Sequence[str], body: str) -> str:
    """A Markdown article with front matter that `core.knowledge.parse_article` reads."""
    front = yaml.safe_dump({"id": slug, "title": title, "category": "DRAFT",
                            "examples": list(examples)}, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n{body.strip()}\n"


def _slug(text: str, taken: set[str]) -> str:
    base = "-".join(re.findall(r"[a-z0-9]+", text.lower())[:6]) or "gap"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def gap_report(items: Sequence[GapTicket], questions: Matrix, replies: Matrix,
               min_size: int = MIN_SIZE, similar: float = SIMILAR) -> list[dict[str, Any]]:
    """One entry per cluster of at least `min_size` tickets, biggest first. `questions`
    and `replies` hold one unit row per item. Never raises on empty input."""
    if not items:
        return []
    out = []
    taken: set[str] = set()
    for members in clusters(questions, similar):
        if len(members) < min_size:
            break
        shown = [items[i].question for i in _nearest(questions, members, SHOWN)]
        typical = items[_nearest(replies, members, 1)[0]].reply
        hesitated = Counter(items[i].candidate for i in members if items[i].candidate)
        out.append({
            "tickets": len(members),
            "questions": shown,
            "ticket_ids": [items[i].ticket_id for i in members],
            "near_articles": [{"article": a, "tickets": n} for a, n in hesitated.most_common(3)],
            "draft": draft_article(_slug(shown[0], taken), shown[0], shown, typical),
        })
    return out
