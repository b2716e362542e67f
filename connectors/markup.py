"""Text to HTML and back, for every connector's comment bodies.

The engine writes plain text; helpdesks store HTML. Escaping here is what keeps
a customer's ``<script>`` quoted in a note as text instead of markup.
"""

from __future__ import annotations

import html
import re

_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def to_html(text: str) -> str:
    """Plain text as safe HTML: escaped, blank lines make paragraphs, newlines ``<br>``."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    paragraphs = [p.strip("\n") for p in _BLANK_LINES.split(normalised)]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p.strip()
    )


def to_text(markup: str) -> str:
    """HTML reduced to plain text: breaks and paragraphs become newlines, tags go."""
    text = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    text = re.sub(r"(?i)</(?:p|div)>\s*<(?:p|div)[^>]*>", "\n\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
