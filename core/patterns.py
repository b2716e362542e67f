"""Regular expressions written by operators, matched in linear time with RE2.

The settings file holds patterns (``exclusions.subject_patterns``,
``auto_responder_senders``, ``auto_responder_subjects``, ``triggers.human_request``,
``triggers.high_risk``, ``triggers.high_risk_except``) that run against every
ticket. Python's backtracking `re` can take exponential time on some of them:
``(a+)+$`` spent 8 s on a 26-character subject. RE2 (``google-re2``) never
backtracks, so a pattern costs time linear in the text whatever its shape; in
exchange it has no look-arounds and no back-references, and ``\\b``, ``\\w``, ``\\d``
are ASCII (use ``\\pL`` for a letter in any script).

The built-in word lists of `core.lexicon` are vetted, use look-arounds, and stay
Python patterns: a pattern identical to one of them is compiled with `re`.

Settings validation calls `operator_pattern` for every pattern, which compiles
it once and keeps it; matching calls it again and gets the same object.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2

from core import lexicon

_BUILT_IN = frozenset(
    (*lexicon.HUMAN_REQUEST, *(p for ps in lexicon.HIGH_RISK.values() for p in ps),
     *(p for ps in lexicon.HIGH_RISK_EXCEPT.values() for p in ps))
)


class OperatorPattern:
    """One compiled pattern, case-insensitive; `per_line` makes ``^`` and ``$`` match
    at line breaks too. Searching never raises."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str, compiled: Any) -> None:
        self.source = source
        self._compiled = compiled

    def search(self, text: str) -> tuple[int, int] | None:
        """The (start, end) of the first match in `text`, or None."""
        found = self._compiled.search(text)
        return None if found is None else (int(found.start()), int(found.end()))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """The (start, end) of every non-overlapping match in `text`, in order."""
        for found in self._compiled.finditer(text):
            yield int(found.start()), int(found.end())


def _re2_options() -> Any:
    options = re2.Options()
    options.case_sensitive = False
    # The error is raised to the caller, who names the setting; RE2 would also print it.
    options.log_errors = False
    return options


@lru_cache(maxsize=4096)
def operator_pattern(source: str, per_line: bool = False) -> OperatorPattern:
    """`source` compiled once: with `re` when it is a built-in lexicon pattern, else RE2.

    Raises ValueError naming the pattern when RE2 cannot compile it (a look-around,
    a back-reference, bad syntax) or `re` cannot compile a built-in one.
    """
    if source in _BUILT_IN:
        flags = re.IGNORECASE | (re.MULTILINE if per_line else 0)
        return OperatorPattern(source, re.compile(source, flags))
    try:
        compiled = re2.compile(("(?m)" if per_line else "") + source, _re2_options())
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(f"not a valid RE2 pattern: {source!r} ({reason}); operator patterns "
                         "run on RE2, which has no look-arounds or back-references") from exc
    return OperatorPattern(source, compiled)


class AnyOf:
    """Whether any of several patterns matches, in one pass per engine: the built-ins
    joined into one `re` alternation, the operator patterns into one RE2 alternation.

    A text one of the patterns matches always matches the alternation, so a miss here
    means every pattern misses; the callers test the patterns one by one only after a
    hit (most tickets raise no trigger at all). Searching never raises.
    """

    __slots__ = ("_joined",)

    def __init__(self, joined: tuple[Any, ...]) -> None:
        self._joined = joined

    def search(self, text: str) -> bool:
        return any(pattern.search(text) is not None for pattern in self._joined)


@lru_cache(maxsize=256)
def any_of(sources: tuple[str, ...], per_line: bool = False) -> AnyOf:
    """`sources` joined as `AnyOf`, compiled once. Patterns `operator_pattern` accepts
    always join (each is wrapped in its own non-capturing group)."""
    built_in = [s for s in sources if s in _BUILT_IN]
    operator = [s for s in sources if s not in _BUILT_IN]
    joined: list[Any] = []
    if built_in:
        flags = re.IGNORECASE | (re.MULTILINE if per_line else 0)
        joined.append(re.compile("|".join(f"(?:{s})" for s in built_in), flags))
    if operator:
        joined.append(re2.compile(("(?m)" if per_line else "")
                                  + "|".join(f"(?:{s})" for s in operator), _re2_options()))
    return AnyOf(tuple(joined))
