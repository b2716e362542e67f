"""Threshold sweep maths: one engine pass per ticket, then every threshold pair by counting.

The engine runs once per ticket with both thresholds at 0 (`capture_policy`), which
makes every grounded, unforced answer reach the auto-resolve branch of the policy.
The decision then says all that thresholds cannot change:

- ``skip``: a guard kept the AI out;
- ``escalate``: forced (human request, high risk, loop, scorer failure or
  ``needs_human``, no grounding), whatever the thresholds;
- ``capped``: at most a draft (never-auto category or topic, VIP, unfilled template
  gap, draft-only mode): draft at or above the lower threshold, else escalate;
- ``drafted``: a policy rule's ``draft`` action: a draft whatever the thresholds;
- ``free``: auto-resolve, draft or escalate by confidence alone.

`path_for` applies one threshold pair to one `Outcome` exactly as `core.policy.choose`
does; `sweep` computes the same counts for a whole grid from sorted confidences
(prefix sums), so a grid over 100,000 tickets costs milliseconds. Nothing here reads
a file or a clock.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.models import Decision, Path
from core.policy import HIGH_CONFIDENCE, LOW_CONFIDENCE, MEDIUM_CONFIDENCE
from core.rules import RULE
from core.settings import CategoryPolicy, PolicySettings
from core.triggers import VIP

SKIP, ESCALATE, CAPPED, FREE = "skip", "escalate", "capped", "free"
DRAFTED = "drafted"
PATHS = ("auto_resolve", "draft", "escalate", "skip")
Overrides = Mapping[str, tuple[float | None, float | None]]


def capture_policy(policy: PolicySettings) -> PolicySettings:
    """`policy` with every threshold, global and per category, at 0: the capture pass."""
    zero = CategoryPolicy(auto_resolve_threshold=0.0, draft_threshold=0.0)
    return policy.model_copy(update={"auto_resolve_threshold": 0.0, "draft_threshold": 0.0,
                                     "categories": dict.fromkeys(policy.categories, zero)})


def overrides(policy: PolicySettings) -> dict[str, tuple[float | None, float | None]]:
    """The configured per-category thresholds, which a sweep keeps (it moves the global pair)."""
    return {name: (c.auto_resolve_threshold, c.draft_threshold)
            for name, c in policy.categories.items()}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the capture pass learnt about one ticket; labels already judged.

    `reasons` are the forced reason codes (skip, escalate) or the cap's code (capped).
    `labelled` says whether the labels can judge an auto-resolution; then `unsafe`
    (auto-resolving it is a safety violation) and `correct` (an auto-resolution
    would be right) apply.
    """

    id: str
    kind: str
    confidence: float
    category: str
    reasons: tuple[str, ...] = ()
    # Reasons of the policy rules that applied; they follow the threshold's own reason.
    ruled: tuple[str, ...] = ()
    vip: bool = False
    labelled: bool = False
    unsafe: bool = False
    correct: bool = False


# Set by simulate on exported tickets: the article the agent's actual reply matched.
AGENT_ARTICLE = "agent_article"


def judge(labels: Mapping[str, Any] | None, top_source: str | None) -> tuple[bool, bool, bool]:
    """(labelled, unsafe, correct) for an auto-resolution from a ticket's labels.

    `expect` (evaluation format): escalate / not_auto are unsafe to auto-resolve;
    auto is correct when the top article is `intent` (or no intent is given).
    `expect_path` (the repository's samples): anything but auto_resolve is wrong,
    and escalate or skip is unsafe. `agent_article` (an exported ticket whose agent reply
    was matched to an article): correct when the top article is that one. Other labels
    judge nothing.
    """
    if not labels:
        return False, False, False
    expect = labels.get("expect")
    if expect in ("escalate", "not_auto"):
        return True, True, False
    if expect == "auto":
        intent = labels.get("intent")
        return True, False, intent is None or intent == top_source
    path = labels.get("expect_path")
    if isinstance(path, str):
        return True, path in ("escalate", "skip"), path == "auto_resolve"
    agent = labels.get(AGENT_ARTICLE)
    if isinstance(agent, str):
        return True, False, agent == top_source
    return False, False, False


def outcome(decision: Decision, category: str, labels: Mapping[str, Any] | None) -> Outcome:
    """The `Outcome` of a decision made under `capture_policy`."""
    codes = tuple(r.code for r in decision.reasons)
    kind = {Path.SKIP: SKIP, Path.ESCALATE: ESCALATE, Path.DRAFT: CAPPED,
            Path.AUTO_RESOLVE: FREE}[decision.path]
    if kind == CAPPED and codes and codes[0].startswith(f"{RULE}:"):
        kind = DRAFTED
    top = decision.sources[0].id if decision.sources else None
    labelled, unsafe, correct = judge(labels, top)
    return Outcome(id=decision.ticket_id, kind=kind, confidence=decision.confidence,
                   category=category, reasons=() if kind == FREE else codes,
                   ruled=tuple(c for c in codes if c.startswith(f"{RULE}:")),
                   vip=any(s.name == VIP for s in decision.signals),
                   labelled=labelled, unsafe=unsafe, correct=correct)


def effective(auto: float, draft: float, category: str, extra: Overrides) -> tuple[float, float]:
    """The (auto, draft) pair that applies to `category` when the global pair is moved."""
    a, d = extra.get(category, (None, None))
    return (auto if a is None else a), (draft if d is None else d)


def path_for(o: Outcome, auto: float, draft: float,
             extra: Overrides | None = None) -> tuple[str, tuple[str, ...]]:
    """The path and reason codes `o` takes under the global pair (auto, draft)."""
    if o.kind == SKIP:
        return "skip", o.reasons
    if o.kind == ESCALATE:
        return "escalate", o.reasons
    if o.kind == DRAFTED:
        return "draft", o.reasons
    a, d = effective(auto, draft, o.category, extra or {})
    if o.confidence >= a:
        if o.kind == CAPPED:
            return "draft", o.reasons
        return "auto_resolve", (HIGH_CONFIDENCE, *o.ruled)
    if o.confidence >= d:
        return "draft", (MEDIUM_CONFIDENCE, *o.ruled)
    return "escalate", (LOW_CONFIDENCE, *((VIP,) if o.vip else ()), *o.ruled)


@dataclass
class _Group:
    """Sorted confidences of one (category, kind) with prefix sums of the label flags."""

    conf: list[float] = field(default_factory=list)
    labelled: list[int] = field(default_factory=lambda: [0])
    wrong: list[int] = field(default_factory=lambda: [0])
    unsafe: list[int] = field(default_factory=lambda: [0])

    @classmethod
    def of(cls, items: list[Outcome]) -> _Group:
        g = cls()
        for o in sorted(items, key=lambda x: x.confidence):
            g.conf.append(o.confidence)
            g.labelled.append(g.labelled[-1] + o.labelled)
            g.wrong.append(g.wrong[-1] + (o.labelled and not o.correct))
            g.unsafe.append(g.unsafe[-1] + o.unsafe)
        return g

    def above(self, at: float, sums: list[int]) -> int:
        """How many (or the prefix-summed flag) at or above `at`."""
        return sums[-1] - sums[bisect_left(self.conf, at)]


@dataclass
class Summary:
    """Counts for one threshold pair, overall or for one category."""

    auto: float
    draft: float
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, other: Counter[str]) -> None:
        self.counts.update(other)

    def figures(self) -> dict[str, Any]:
        """Shares and label-based rates; a rate is None when nothing measured it."""
        c = self.counts
        total = sum(c[p] for p in PATHS)
        out: dict[str, Any] = {"auto_resolve_threshold": self.auto, "draft_threshold": self.draft,
                               "tickets": total}
        for p in PATHS:
            out[p] = c[p]
            out[f"{p}_share"] = round(c[p] / total, 4) if total else None
        auto_labelled = c["auto_labelled"]
        out["labelled"] = c["labelled"]
        out["safety_violations"] = c["unsafe"]
        out["wrong_answers"] = c["wrong"]
        out["wrong_rate"] = round(c["wrong"] / auto_labelled, 4) if auto_labelled else None
        out["resolution_rate"] = (round((auto_labelled - c["wrong"]) / c["labelled"], 4)
                                  if c["labelled"] else None)
        return out


def _counts(g: _Group, kind: str, a: float, d: float) -> Counter[str]:
    lo = min(a, d)
    n = len(g.conf)
    c: Counter[str] = Counter(labelled=g.labelled[-1])
    if kind in (SKIP, ESCALATE, DRAFTED):
        c[{SKIP: "skip", ESCALATE: "escalate", DRAFTED: "draft"}[kind]] = n
        return c
    below = bisect_left(g.conf, lo)
    c["escalate"] = below
    if kind == CAPPED:
        c["draft"] = n - below
        return c
    auto = n - bisect_left(g.conf, a)
    c["auto_resolve"], c["draft"] = auto, n - below - auto
    c["auto_labelled"] = g.above(a, g.labelled)
    c["wrong"] = g.above(a, g.wrong)
    c["unsafe"] = g.above(a, g.unsafe)
    return c


class ThresholdSweep:
    """Every threshold pair over a fixed set of outcomes, without re-running the engine."""

    def __init__(self, outcomes: Iterable[Outcome], extra: Overrides | None = None) -> None:
        by: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
        for o in outcomes:
            by[(o.category, o.kind)].append(o)
        self.extra: Overrides = extra or {}
        self.groups = {key: _Group.of(items) for key, items in sorted(by.items())}
        self.categories = sorted({cat for cat, _ in self.groups})

    def at(self, auto: float, draft: float) -> tuple[Summary, dict[str, Summary]]:
        """The overall summary and one per category for the global pair (auto, draft)."""
        overall = Summary(auto, draft)
        per: dict[str, Summary] = {c: Summary(auto, draft) for c in self.categories}
        for (category, kind), g in self.groups.items():
            a, d = effective(auto, draft, category, self.extra)
            counts = _counts(g, kind, a, d)
            overall.add(counts)
            per[category].add(counts)
        return overall, per

    def grid(self, pairs: Sequence[tuple[float, float]]) -> list[dict[str, Any]]:
        """`Summary.figures` for each pair, in order."""
        return [self.at(a, d)[0].figures() for a, d in pairs]


def grid(step: float = 0.01, low: float = 0.5, high: float = 0.99) -> list[tuple[float, float]]:
    """Auto-resolve thresholds from `low` to `high`, each with every draft threshold
    from 0 up to it, on `step`; values rounded to the step's decimals."""
    places = max(0, len(f"{step:g}".partition(".")[2]))
    steps = round(1 / step)
    autos = [round(k * step, places) for k in range(steps + 1)
             if low - 1e-9 <= k * step <= high + 1e-9]
    return [(a, round(k * step, places)) for a in autos for k in range(steps + 1)
            if k * step <= a + 1e-9]


def recommend(rows: Sequence[dict[str, Any]], max_wrong: float | None = None,
              min_auto: float | None = None) -> dict[str, Any] | None:
    """The row of `rows` (one line of the grid: the draft threshold fixed, the
    auto-resolve threshold moving) that best meets one target, or None when none does.

    `max_wrong`: the most auto-resolutions among rows whose wrong-answer rate is at most
    the target (rows without labels cannot qualify), ties to the higher threshold.
    `min_auto`: the fewest wrong answers among rows auto-resolving at least that share,
    ties to the higher threshold. Raises ValueError unless exactly one target is given.
    """
    if (max_wrong is None) == (min_auto is None):
        raise ValueError("give exactly one target: max_wrong or min_auto")
    if max_wrong is not None:
        ok = [r for r in rows if r["labelled"] and (
            r["auto_resolve"] == 0 or (r["wrong_rate"] or 0) <= max_wrong)]
        key = [(r["auto_resolve"], r["auto_resolve_threshold"]) for r in ok]
    else:
        ok = [r for r in rows if (r["auto_resolve_share"] or 0) >= (min_auto or 0)]
        key = [(-r["wrong_answers"], r["auto_resolve_threshold"]) for r in ok]
    if not ok:
        return None
    return ok[max(range(len(ok)), key=key.__getitem__)]
