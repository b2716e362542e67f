"""Markdown to HTML or plain text, and HTML back to text, for every connector's comments.

The engine writes Markdown: articles are Markdown, and its own notes are plain lines,
which read the same as Markdown. Helpdesks store HTML, or plain text on channels that
take nothing else (Gorgias ``body_text``). Raw HTML is never passed through: a
customer's ``<script>`` quoted in a note arrives escaped, as text. Links go out only
to http(s) and mailto; any other target (``javascript:``) stays literal text, and an
image becomes a link to it, so no quoted text makes an agent's browser fetch anything.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_BETWEEN_TAGS = re.compile(r">\n+<")
_SAFE_LINK = re.compile(r"(?i)^(?:https?:|mailto:)")


class _SafeMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # markdown-it's hook for every link
        return bool(_SAFE_LINK.match(url.strip()))


def _image_as_link(renderer: RendererHTML, tokens: Sequence[Token], idx: int,
                   options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{html.escape(str(token.attrGet("src") or ""))}">{html.escape(alt)}</a>'


def _parser() -> MarkdownIt:
    # breaks: a single newline stays a line break, as the engine's notes are written.
    md = _SafeMarkdown("commonmark", {"html": False, "breaks": True, "xhtmlOut": False})
    md.add_render_rule("image", _image_as_link)
    return md


_MD = _parser()


def to_html(text: str) -> str:
    """Markdown as safe HTML: headings, lists, links, emphasis and code rendered; raw
    HTML escaped; unsafe links left as text. Never raises."""
    rendered = _MD.render(text.replace("\r\n", "\n").replace("\r", "\n"))
    # The renderer ends each block and break with a newline; helpdesks show them as
    # stray spaces. Only those sit between ">" and "<": text inside code is escaped.
    return _BETWEEN_TAGS.sub("><", rendered.replace("<br>\n", "<br>")).strip()


def to_plain(text: str) -> str:
    """Markdown as plain text for channels that show no HTML: markers dropped, list items
    as ``- `` or ``1. ``, a link as ``text (url)``, code kept verbatim. Never raises."""
    out: list[str] = []
    lists: list[list[int]] = []  # per open list: [next number], 0 for bullets
    for token in _MD.parse(text.replace("\r\n", "\n").replace("\r", "\n")):
        kind = token.type
        if kind == "bullet_list_open":
            lists.append([0])
        elif kind == "ordered_list_open":
            lists.append([int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                out.append("\n")
        elif kind == "list_item_open":
            number = lists[-1]
            marker = f"{number[0]}. " if number[0] else "- "
            if number[0]:
                number[0] += 1
            out.append("  " * (len(lists) - 1) + marker)
        elif kind in ("paragraph_close", "heading_close"):
            out.append("\n" if token.hidden else "\n\n")
        elif kind == "inline":
            out.append(_inline_text(token.children or []))
        elif kind in ("fence", "code_block"):
            out.append(token.content + "\n")
        elif kind == "hr":
            out.append("---\n\n")
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()


def _inline_text(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    href = ""
    start = 0
    for token in tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "link_open":
            href, start = str(token.attrGet("href") or ""), len(parts)
        elif token.type == "link_close":
            label = "".join(parts[start:])
            if href and href not in (label, f"mailto:{label}"):
                parts.append(f" ({href})")
        elif token.type == "image":
            alt = "".join(c.content for c in token.children or []) or "image"
            parts.append(f"{alt} ({token.attrGet('src') or ''})")
    return "".join(parts)


def to_text(markup: str) -> str:
    """HTML reduced to plain text: breaks and paragraphs become newlines, tags go."""
    text = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    text = re.sub(r"(?i)</(?:p|div)>\s*<(?:p|div)[^>]*>", "\n\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
