"""Plain-language policy edits (``handoff policy edit``): everything but the I/O.

    prompt(config_text, name, instruction)  -> (system, user) messages for the model
    parse_proposal(text)                    -> Proposal(summary, changes) or ProposalError
    apply_changes(config_text, changes)     -> the new file text, comments kept
    unified_diff(old, new, name)            -> the change as a unified diff
    compare(before, after, labels)          -> SplitChange: how the path split moves

The model answers with a patch per top-level section: nested mappings merge key by
key, null removes a key (back to its default) or a whole section, and any other
value, a list included, replaces the old one whole. A key the model leaves out is
kept, so an answer that forgets one cannot drop a setting. `apply_changes`
re-emits only the changed sections, each with ruamel.yaml's round-trip mode
updated in place, so the comments and flow style of every key that stays are kept;
every other line of the file is kept byte for byte. The caller validates the result
with `core.settings.parse_settings`, like at start-up.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RoundTripError

from core.errors import ProposalError
from core.llm import unfenced
from core.settings import Settings
from core.thresholds import PATHS, judge

# The sections a plain-language edit may change: the policy, never accounts or secrets.
EDITABLE = tuple(
    name for name in ("policy", "rules", "routing", "triggers", "exclusions", "tags",
                      "escalation")
    if name in Settings.model_fields
)
# Schema defaults longer than this (the trigger lexicon) are left out of the prompt.
MAX_DEFAULT_CHARS = 160
EXAMPLES = 5

SYSTEM_PROMPT = (
    "You edit the YAML settings file of Handoff, which decides whether an AI answers a "
    "helpdesk ticket, drafts a reply for an agent, or escalates it to a person. A support "
    "lead describes a policy change in plain language; you turn it into a settings change. "
    "You may change only these top-level sections: {sections}. Reply with one JSON object "
    'and nothing else: {{"summary": "<one line: what the change does>", "changes": '
    '{{"<section>": {{<only the keys that change>}}}}}}. Mappings are merged into the '
    "current file key by key, so leave out every key that stays as it is; a list replaces "
    "the current list whole, so give every item you keep, each one complete; null removes "
    "a key (it returns to its default), or a whole section. Use only the keys and values "
    "the JSON schema allows, and change nothing the instruction does not ask for."
)


@dataclass(frozen=True)
class Proposal:
    """The model's answer: a one-line summary and a patch per changed section."""

    summary: str
    changes: dict[str, Any]


def schema(sections: Sequence[str] = EDITABLE) -> dict[str, Any]:
    """The JSON schema of `sections` only, with the definitions they use."""
    full = Settings.model_json_schema()
    properties = {name: full["properties"][name] for name in sections}
    definitions: dict[str, Any] = full.get("$defs", {})
    used: set[str] = set()
    pending: list[Any] = [properties]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name not in used:
                    used.add(name)
                    pending.append(definitions[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    result = {"type": "object", "properties": properties,
              "$defs": {name: definitions[name] for name in sorted(used)}}
    trimmed: dict[str, Any] = _without_long_defaults(result)
    return trimmed


def _without_long_defaults(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _without_long_defaults(value) for key, value in node.items()
            if not (key == "default" and len(json.dumps(value)) > MAX_DEFAULT_CHARS)
        }
    if isinstance(node, list):
        return [_without_long_defaults(value) for value in node]
    return node


def prompt(config_text: str, name: str, instruction: str,
           sections: Sequence[str] = EDITABLE) -> tuple[str, str]:
    """(system, user) messages asking for the change `instruction` describes."""
    system = SYSTEM_PROMPT.format(sections=", ".join(sections))
    user = (
        f"JSON schema of the sections you may change:\n"
        f"{json.dumps(schema(sections), separators=(',', ':'))}\n\n"
        f"Current settings file ({name}):\n```yaml\n{config_text.rstrip()}\n```\n\n"
        f"Instruction: {instruction.strip()}"
    )
    return system, user


def parse_proposal(text: str, sections: Sequence[str] = EDITABLE) -> Proposal:
    """The model's answer (JSON or YAML, optionally fenced) as a Proposal.

    Raises ProposalError when it is not an object with a `changes` mapping, or when
    it changes a section outside `sections`.
    """
    shown = " ".join(text.split())[:200]
    try:
        data = yaml.safe_load(unfenced(text))
    except yaml.YAMLError as exc:
        raise ProposalError(f"the model's answer is not JSON or YAML: {shown!r}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("changes"), dict):
        raise ProposalError(
            f"the model's answer is not an object with a `changes` mapping: {shown!r}")
    changes: dict[str, Any] = data["changes"]
    if not changes:
        raise ProposalError("the model proposed no change")
    outside = sorted(str(key) for key in changes if key not in sections)
    if outside:
        raise ProposalError(
            f"the model proposed changing {', '.join(outside)}; a policy edit may change "
            f"only {', '.join(sections)}")
    summary = str(data.get("summary") or "").strip().splitlines()
    return Proposal(summary=summary[0] if summary else "", changes=changes)


_KEY_LINE = re.compile(r"(?P<key>[A-Za-z_][\w-]*)\s*:(\s|$)")


def _blocks(lines: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Top-level key -> (first line, end line) of its block.

    A block ends before the next top-level key, less the blank lines and column-0
    comments just before it, which introduce what follows.
    """
    starts: list[tuple[str, int]] = []
    for number, line in enumerate(lines):
        if not line.strip() or line[0] in " \t#" or line.rstrip() == "---":
            continue
        match = _KEY_LINE.match(line)
        if match is None:
            raise ProposalError(
                f"line {number + 1} is not a plain top-level key ({line.strip()!r}); "
                "edit this file by hand")
        starts.append((match["key"], number))
    blocks: dict[str, tuple[int, int]] = {}
    for index, (key, start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(lines)
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1][0] == "#"):
            end -= 1
        blocks[key] = (start, end)
    return blocks


def _round_trip() -> YAML:
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096  # never fold a long line the file had on one line
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def _scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _styled(value: Any, depth: int) -> Any:
    """`value` as round-trip nodes: lists of scalars and small leaf mappings in flow
    style (``[billing]``, ``{over: 500, currency: USD}``), like the shipped file."""
    if isinstance(value, dict):
        node = CommentedMap((key, _styled(item, depth + 1)) for key, item in value.items())
        if depth >= 2 and len(value) <= 4 and all(_scalar(v) for v in value.values()):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_styled(item, depth + 1) for item in value)
        if all(_scalar(v) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _same(old: Any, new: Any) -> bool:
    return bool(old == new) and isinstance(old, bool) == isinstance(new, bool)


def _merge(node: CommentedMap, new: Mapping[str, Any], depth: int) -> None:
    for key in [k for k in node if k not in new]:
        del node[key]
    for key, value in new.items():
        if key not in node:
            node[key] = _styled(value, depth + 1)
        else:
            node[key] = _merged(node[key], value, depth + 1)


def _merged(old: Any, new: Any, depth: int) -> Any:
    """`old` updated in place to equal `new` where the shapes agree (keeping its
    comments and style), else `new` as fresh nodes."""
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        _merge(old, new, depth)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        for index, value in enumerate(new):
            if index < len(old):
                old[index] = _merged(old[index], value, depth + 1)
            else:
                old.append(_styled(value, depth + 1))
        del old[len(new):]
        return old
    return old if _same(old, new) else _styled(new, depth)


def _patch(node: CommentedMap, changes: Mapping[str, Any], depth: int) -> None:
    """Apply `changes` to `node`: mapping into mapping key by key, null deletes the key,
    anything else replaces the old value whole."""
    for key, value in changes.items():
        if value is None:
            if node.get(key) is not None:  # an explicit null in the file stays as it is
                del node[key]
        elif isinstance(node.get(key), CommentedMap) and isinstance(value, dict):
            _patch(node[key], value, depth + 1)
        elif key in node:
            node[key] = _merged(node[key], value, depth + 1)
        else:
            node[key] = _styled(value, depth + 1)


def _section(block: str, key: str, value: Any) -> str:
    rt = _round_trip()
    if block:
        try:
            document = rt.load(block)
        except RoundTripError as exc:
            raise ProposalError(f"cannot re-read the {key} section: {exc}") from exc
    else:
        document = CommentedMap()
    if isinstance(document.get(key), CommentedMap) and isinstance(value, dict):
        _patch(document[key], value, 1)
    elif key in document:
        document[key] = _merged(document[key], value, 1)
    else:
        document[key] = _styled(value, 1)
    out = io.StringIO()
    rt.dump(document, out)
    return out.getvalue()


def apply_changes(config_text: str, changes: Mapping[str, Any]) -> str:
    """`config_text` with each top-level section of `changes` patched (see the module
    doc; None removes the section); new sections go at the end. Other lines are kept.

    Raises ProposalError when the file's layout cannot be edited in place.
    """
    lines = config_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    blocks = _blocks(lines)
    replaced = sorted(((blocks[k], k) for k in changes if k in blocks), reverse=True)
    for (start, end), key in replaced:
        value = changes[key]
        text = "" if value is None else _section("".join(lines[start:end]), key, value)
        lines[start:end] = text.splitlines(keepends=True)
    for key, value in changes.items():
        if key not in blocks and value is not None:
            if lines and lines[-1].strip():
                lines.append("\n")
            lines.extend(_section("", key, value).splitlines(keepends=True))
    return "".join(lines)


def unified_diff(old: str, new: str, name: str) -> str:
    """The change from `old` to `new` as a unified diff (empty when they are equal)."""
    return "".join(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile=name, tofile=f"{name} (proposed)",
    ))


@dataclass(frozen=True)
class Moved:
    """One ticket whose path differs after the change, with each side's reason codes."""

    id: str
    before: str
    after: str
    reasons_before: tuple[str, ...]
    reasons_after: tuple[str, ...]


@dataclass(frozen=True)
class SplitChange:
    """Paths before and after over the same tickets; `unsafe` counts auto-resolutions
    the tickets' labels say need a person (None without labels)."""

    tickets: int
    before: Mapping[str, int]
    after: Mapping[str, int]
    moved: tuple[Moved, ...]
    unsafe: tuple[int, int] | None
    # Same path, other reasons: a rule that now fires where a trigger did before.
    reasoned: tuple[Moved, ...] = ()


def compare(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]],
            labels: Mapping[str, Mapping[str, Any]]) -> SplitChange:
    """Compare two runs over the same tickets (`core.simulation.decision_row` rows, same
    order). Raises ValueError when the runs are not over the same tickets."""
    if [r["id"] for r in before] != [r["id"] for r in after]:
        raise ValueError("the two runs are not over the same tickets")
    pairs = [
        Moved(id=str(b["id"]), before=b["path"], after=a["path"],
              reasons_before=tuple(r["code"] for r in b["reasons"]),
              reasons_after=tuple(r["code"] for r in a["reasons"]))
        for b, a in zip(before, after, strict=True)
    ]
    moved = tuple(m for m in pairs if m.before != m.after)
    reasoned = tuple(m for m in pairs
                     if m.before == m.after and m.reasons_before != m.reasons_after)
    unsafe = None
    if any(judge(labels.get(str(r["id"])), None)[0] for r in before):
        unsafe = (_unsafe(before, labels), _unsafe(after, labels))
    return SplitChange(
        tickets=len(before),
        before=Counter(r["path"] for r in before),
        after=Counter(r["path"] for r in after),
        moved=moved,
        unsafe=unsafe,
        reasoned=reasoned,
    )


def _unsafe(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, Mapping[str, Any]]) -> int:
    return sum(
        1 for r in rows
        if r["path"] == "auto_resolve"
        and judge(labels.get(str(r["id"])), (r["sources"] or [None])[0])[1]
    )


def _share(count: int, total: int) -> str:
    return f"{count} ({count / total:.1%})" if total else str(count)


def describe(change: SplitChange, texts: Mapping[str, str] | None = None,
             examples: int = EXAMPLES) -> list[str]:
    """The split as printable lines: each path's count and share before -> after, the
    number of tickets that changed path and up to `examples` of them, then those that
    kept their path for other reasons."""
    total = change.tickets
    lines = [f"  {'path':<14}{'before':>14}    after"]
    for path in PATHS:
        b, a = change.before.get(path, 0), change.after.get(path, 0)
        mark = "" if a == b else f"  ({a - b:+d})"
        lines.append(f"  {path:<14}{_share(b, total):>14} -> {_share(a, total):<14}{mark}"
                     .rstrip())
    if change.unsafe is not None:
        lines.append(f"  auto-resolved though labelled for a person: "
                     f"{change.unsafe[0]} -> {change.unsafe[1]}")
    count = len(change.moved)
    lines.append(f"{count} of {total} ticket(s) change path" + (":" if count else "."))
    lines.extend(_examples(change.moved, texts or {}, examples))
    if change.reasoned:
        lines.append(f"{len(change.reasoned)} ticket(s) keep their path for another reason:")
        lines.extend(_examples(change.reasoned, texts or {}, examples))
    return lines


def _examples(items: Sequence[Moved], texts: Mapping[str, str], limit: int) -> list[str]:
    lines = []
    for m in items[:limit]:
        why = f"{', '.join(m.reasons_before) or '-'} -> {', '.join(m.reasons_after) or '-'}"
        path = m.before if m.before == m.after else f"{m.before} -> {m.after}"
        lines.append(f"  {m.id}: {path}  ({why})")
        if texts.get(m.id):
            lines.append(f"      {texts[m.id][:100]!r}")
    if len(items) > limit:
        lines.append(f"  ... and {len(items) - limit} more")
    return lines
