"""The work of `handoff learn`: stream an exported history into the learned index.

Lines are read one at a time and matched in batches of `BATCH`, so memory holds
the learned questions and one batch of replies, never the file. See
`core.learning` (matching, abstention) and `core.crossfit` (calibration).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.calibration import fit_platt
from core.crossfit import CrossFit, article_weights, cross_fit
from core.errors import ConfigError
from core.learning import MAX_KEPT, HistoryPair, ReplyMatcher, Unusable, pair_from_row
from core.retrieval import HybridScorer, index_key
from worker.learned import LearnedIndex, digest, read_learned, slot, write_learned

BATCH = 512


@dataclass
class LearnRun:
    """What one run read, added and concluded (the report the command prints)."""

    lines: int = 0
    known: int = 0  # tickets already in the learned index
    added: int = 0
    unusable: list[tuple[int, str]] = field(default_factory=list)
    index: LearnedIndex | None = None
    fit: CrossFit | None = None
    file: Path | None = None
    restarted: bool = False  # the saved index was for another version of the articles

    @property
    def changed(self) -> bool:
        return self.added > 0


def read_pairs(path: Path, run: LearnRun,
               skip: Callable[[str], bool]) -> Iterator[HistoryPair]:
    """Usable pairs of `path`, in file order; unusable lines are recorded in `run`.

    Raises ConfigError when the file is not UTF-8 text or holds no JSON object at all.
    """
    objects = 0
    seen: set[int] = set()  # digests, so a long file costs little memory
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                run.lines = number
                if not line.strip():
                    continue
                try:
                    row: Any = json.loads(line)
                except json.JSONDecodeError:
                    run.unusable.append((number, "not JSON"))
                    continue
                objects += isinstance(row, dict)
                try:
                    pair = pair_from_row(row)
                except Unusable as exc:
                    run.unusable.append((number, str(exc)))
                    continue
                number_id = digest(pair.ticket_id)
                if number_id in seen:
                    run.unusable.append((number, f"ticket {pair.ticket_id} appears again"))
                    continue
                seen.add(number_id)
                if skip(pair.ticket_id):
                    run.known += 1
                    continue
                yield pair
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (line {run.lines + 1}): {exc}") from exc
    if not objects:
        raise ConfigError(f"{path}: no JSON ticket object on any line; expected the "
                          "JSON Lines that `handoff export` writes")


def learn(path: Path, base: HybridScorer, folder: Path,
          progress: Callable[[int], None] | None = None) -> LearnRun:
    """Match the new tickets of `path`, add them to the learned index in `folder`, re-fit
    the cross-fitted calibration and save. A run that adds no ticket writes nothing; an
    index learned for another version of the articles is started over (`restarted`).

    `base` must be the zero-shot scorer (no learned examples). Raises ConfigError for a
    malformed history file or learned index, OSError when the index cannot be written.
    """
    knowledge = index_key(base.docs, base.embedder.name)
    stored = read_learned(folder)
    index = stored if stored is not None and stored.knowledge == knowledge \
        else LearnedIndex(knowledge)
    run = LearnRun(index=index, restarted=stored is not None and index is not stored)
    matcher = ReplyMatcher(base)
    batch: list[HistoryPair] = []

    kept = Counter(slot(t) for t in index.tickets.values())

    def flush() -> None:
        for pair, match in zip(batch, matcher.match(batch), strict=True):
            entry: dict[str, Any] = {"article": match.article}
            if match.article is None:
                entry.update(candidate=match.candidate, reason=match.reason)
            keep = kept[slot(entry)] < MAX_KEPT  # first come, first kept: re-runs agree
            if keep:
                kept[slot(entry)] += 1
                entry["questions"] = list(pair.questions)
            index.add(pair.ticket_id, entry, kept=keep)
        run.added += len(batch)
        if progress:
            progress(run.added)
        batch.clear()

    for pair in read_pairs(path, run, index.knows):
        batch.append(pair)
        if len(batch) >= BATCH:
            flush()
    flush()
    if not run.changed:
        return run
    run.fit = cross_fit(base, index.learned(), weights=_weights(index))
    if run.fit.calibration is not None:
        index.calibration = run.fit.calibration
    index.accuracy = {a: list(h) for a, h in sorted(run.fit.hits.items())}
    run.file = write_learned(folder, index)
    return run


def _weights(index: LearnedIndex) -> dict[str, float]:
    seen: Counter[str] = Counter()
    matched: Counter[str] = Counter()
    for name, count in index.tally().items():
        seen[name[1:]] += count
        if name.startswith("="):
            matched[name[1:]] += count
    return article_weights(seen, matched)


def per_article(index: LearnedIndex, base: HybridScorer) -> list[dict[str, Any]]:
    """One report row per article: tickets matched, examples added, held-out accuracy
    (cross-fitted, on history), abstentions whose best guess it was."""
    tally = index.tally()
    questions: dict[str, set[str]] = {}
    for entry in index.tickets.values():
        if entry.get("article"):
            questions.setdefault(entry["article"], set()).update(entry.get("questions", ()))
    rows = []
    for doc in base.docs:
        right, total = index.accuracy.get(doc.id, [0, 0])
        rows.append({"article": doc.id, "matched": tally[f"={doc.id}"],
                     "examples_added": len(questions.get(doc.id, set()) - set(doc.examples)),
                     "heldout_accuracy": round(right / total, 3) if total else None,
                     "abstained": tally[f"?{doc.id}"]})
    return rows


def recalibrate(base: HybridScorer, folder: Path,
                labelled: tuple[list[list[float]], list[bool]] | None = None) -> LearnedIndex:
    """`handoff calibrate` on a learned index: fit on `labelled` (feature rows and outcomes
    from the learned scorer) or, without, cross-fit again over the learned pairs; save the
    result into the learned index. Raises ConfigError when there is no learned index for
    this knowledge base or the rows lack right or wrong answers, OSError on writing."""
    index = read_learned(folder)
    if index is None or index.knowledge != index_key(base.docs, base.embedder.name):
        raise ConfigError(f"no learned index for this knowledge base in {folder}")
    if labelled is not None:
        try:
            index.calibration = fit_platt(*labelled)
        except ValueError as exc:
            raise ConfigError(f"cannot calibrate: {exc}") from exc
    else:
        fit = cross_fit(base, index.learned(), weights=_weights(index))
        if fit.calibration is None:
            raise ConfigError("cannot calibrate: the learned pairs hold no wrong answer")
        index.calibration = fit.calibration
        index.accuracy = {a: list(h) for a, h in sorted(fit.hits.items())}
    write_learned(folder, index)
    return index


class AgentYardstick:
    """Labels an exported ticket with the article its agent's first public reply matched
    (`agent_article`), so `simulate` can judge an auto-resolution by what the agent did.
    The matcher (the zero-shot index) is built on the first exported row only."""

    def __init__(self, build: Callable[[], HybridScorer]) -> None:
        self._build = build
        self._matcher: ReplyMatcher | None = None

    def __call__(self, row: Any) -> Any:
        """`row`'s labels, with `agent_article` added when its reply matched an article."""
        labels = row.get("labels") if isinstance(row, dict) else None
        if not isinstance(labels, dict):
            return labels
        history = labels.get("history")
        if not isinstance(history, dict) or history.get("solved_by") != "agent":
            return labels
        try:
            pair = pair_from_row(row)
        except Unusable:
            return labels
        if self._matcher is None:
            self._matcher = ReplyMatcher(self._build())
        [match] = self._matcher.match([pair])
        return {**labels, "agent_article": match.article} if match.article else labels
