"""Article Markdown reaches each helpdesk rendered: HTML where it takes HTML, plain text
where it takes text, raw HTML always escaped and links only to http(s) and mailto."""

from __future__ import annotations

import pytest

from connectors.markup import to_html, to_plain
from core.batching import already_on_ticket
from core.models import InternalNote, PublicReply
from tests.connectors.support import Stack

ARTICLE = """## Change the delivery address

You **cannot** change it after dispatch. Before that:

1. Open [your orders](https://shop.example/orders)
2. Type `edit address`

- Ask [support](mailto:help@shop.example)
- Not [this](javascript:alert(1))

<script>alert("x")</script>"""

ARTICLE_HTML = (
    "<h2>Change the delivery address</h2>"
    "<p>You <strong>cannot</strong> change it after dispatch. Before that:</p>"
    '<ol><li>Open <a href="https://shop.example/orders">your orders</a></li>'
    "<li>Type <code>edit address</code></li></ol>"
    '<ul><li>Ask <a href="mailto:help@shop.example">support</a></li>'
    "<li>Not [this](javascript:alert(1))</li></ul>"
    "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>"
)

ARTICLE_TEXT = """Change the delivery address

You cannot change it after dispatch. Before that:

1. Open your orders (https://shop.example/orders)
2. Type edit address

- Ask support (mailto:help@shop.example)
- Not [this](javascript:alert(1))

<script>alert("x")</script>"""


def test_headings_lists_links_bold_and_code_render_as_html() -> None:
    assert to_html(ARTICLE) == ARTICLE_HTML


def test_the_same_article_as_plain_text_drops_the_markers() -> None:
    assert to_plain(ARTICLE) == ARTICLE_TEXT


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x",
    "file:///etc/passwd", "/relative/path", "ftp://files.example/x",
])
def test_only_http_and_mailto_links_become_links(link: str) -> None:
    assert "<a " not in to_html(f"[click]({link})")
    assert "<a " not in to_html(f"<{link}>")


def test_an_image_becomes_a_link_so_nothing_is_fetched() -> None:
    assert to_html("![logo](https://cdn.example/logo.png)") == (
        '<p><a href="https://cdn.example/logo.png">logo</a></p>')
    assert to_html("![x](javascript:alert(1))").startswith("<p>![x]")
    assert to_plain("![logo](https://cdn.example/l.png)") == "logo (https://cdn.example/l.png)"


def test_code_keeps_its_lines_and_escapes_markup() -> None:
    assert to_html("```\n<b>a</b>\n  b\n```") == (
        "<pre><code>&lt;b&gt;a&lt;/b&gt;\n  b\n</code></pre>")
    assert to_plain("```\n<b>a</b>\n  b\n```") == "<b>a</b>\n  b"


def test_engine_lines_keep_their_breaks() -> None:
    assert to_html("Reason: loop\nArticles tried: A, B\n\nNext") == (
        "<p>Reason: loop<br>Articles tried: A, B</p><p>Next</p>")
    assert to_plain("Reason: loop\nArticles tried: A, B\n\nNext") == (
        "Reason: loop\nArticles tried: A, B\n\nNext")


@pytest.mark.parametrize("platform", ["zendesk", "freshdesk", "gorgias"])
@pytest.mark.parametrize("comment", [PublicReply, InternalNote], ids=["reply", "note"])
def test_each_platform_stores_the_article_rendered(
    stack: Stack, platform: str, comment: type[PublicReply | InternalNote],
) -> None:
    """Through the sandbox: the comment's HTML field holds the rendered article and its
    text field no Markdown markers; the customer's ``<script>`` stays text."""
    ticket_id = stack.create(platform)
    connector = stack.connector(platform)
    connector.apply(connector.get_ticket(ticket_id), (comment(body=ARTICLE),))
    written = connector.get_ticket(ticket_id).messages[-1]
    assert written.html == ARTICLE_HTML
    assert "**" not in written.text
    assert "## " not in written.text
    assert "<script>" not in (written.html or "")
    if platform == "gorgias":  # the only API taking our plain text beside the HTML
        assert written.text == ARTICLE_TEXT


@pytest.mark.parametrize("platform", ["zendesk", "freshdesk", "gorgias"])
def test_a_rendered_reply_is_found_again_so_a_retry_never_posts_it_twice(
    stack: Stack, platform: str,
) -> None:
    """The helpdesk's text of the comment is no longer the Markdown sent; the exactly-once
    check still recognises it, and not a different reply."""
    ticket_id = stack.create(platform)
    connector = stack.connector(platform)
    connector.apply(connector.get_ticket(ticket_id), (PublicReply(body=ARTICLE),))
    ticket = connector.get_ticket(ticket_id)
    assert already_on_ticket(ticket, (PublicReply(body=ARTICLE),))
    assert not already_on_ticket(ticket, (InternalNote(body=ARTICLE),))
    assert not already_on_ticket(ticket, (PublicReply(body=ARTICLE.replace("cannot", "can")),))


def test_a_zendesk_article_keeps_its_help_center_address_to_link_from_replies() -> None:
    from connectors.zendesk.setup import article_doc

    article = {"id": 7, "title": "Returns", "body": "<p>Send it back.</p>",
               "html_url": "https://acme.zendesk.com/hc/en-us/articles/7-Returns"}
    assert article_doc(article).url == article["html_url"]  # type: ignore[union-attr]
    assert article_doc({**article, "html_url": "javascript:x"}).url is None  # type: ignore[union-attr]
    assert article_doc({**article, "html_url": None}).url is None  # type: ignore[union-attr]
