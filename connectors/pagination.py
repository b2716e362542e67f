"""Page walkers for the three pagination styles the helpdesks use.

- Zendesk cursor pages: follow ``links.next`` while ``meta.has_more`` is true.
- Freshdesk page numbers: follow the ``Link: <url>; rel="next"`` response header.
- Gorgias cursors: repeat the request with ``cursor=meta.next_cursor`` until it is empty.

Each walker takes a `fetch` callable that sends one request (through
`HttpConnector.request`, so retries and error translation apply) and yields
pages lazily. Each stops after `max_pages` with PermanentError rather than
looping for ever on a server that always says "more". Absolute links are only
followed on the API's own scheme, host and port, since following one elsewhere
would send our credentials there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from core.errors import PermanentError

Params = Mapping[str, str] | None


def same_host(base: httpx.URL, url: str, platform: str) -> str:
    """`url` when it points at `base`'s scheme, host and port; else PermanentError."""
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise PermanentError(f"{platform}: unusable pagination link {url!r}") from exc
    if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
        raise PermanentError(f"{platform}: refusing to follow pagination link to {url}")
    return url


def _too_many(what: str, max_pages: int) -> PermanentError:
    return PermanentError(f"{what} has more than {max_pages} pages")


def cursor_links(
    fetch: Callable[[str, Params], Any],
    url: str,
    params: Params,
    *,
    base: httpx.URL,
    platform: str,
    what: str,
    max_pages: int,
) -> Iterator[dict[str, Any]]:
    """Zendesk-style pages (JSON objects) from `url`, following ``links.next``.

    Raises PermanentError when a page is not a JSON object, a link leaves
    `base`'s host, or there are more than `max_pages` pages; the errors of
    `fetch` pass through.
    """
    for _ in range(max_pages):
        page = fetch(url, params)
        if not isinstance(page, dict):
            raise PermanentError(f"{what}: a page is not a JSON object")
        yield page
        meta, links = page.get("meta"), page.get("links")
        more = isinstance(meta, dict) and meta.get("has_more")
        following = links.get("next") if isinstance(links, dict) else None
        if not (more and following):
            return
        url, params = same_host(base, str(following), platform), None
    raise _too_many(what, max_pages)


def next_link(headers: Mapping[str, str]) -> str | None:
    """The ``rel="next"`` target of an RFC 8288 ``Link`` header, or None."""
    for part in headers.get("link", "").split(","):
        target, _, attributes = part.partition(";")
        relations = [a.strip().replace(" ", "") for a in attributes.split(";")]
        if any(r in ('rel="next"', "rel=next") for r in relations):
            target = target.strip()
            if target.startswith("<") and target.endswith(">"):
                return target[1:-1]
    return None


def link_header(
    fetch: Callable[[str, Params], httpx.Response],
    url: str,
    params: Params,
    *,
    base: httpx.URL,
    platform: str,
    what: str,
    max_pages: int,
) -> Iterator[httpx.Response]:
    """Freshdesk-style pages (responses) from `url`, following ``Link: rel="next"``.

    Raises PermanentError when a link leaves `base`'s host or there are more
    than `max_pages` pages; the errors of `fetch` pass through.
    """
    for _ in range(max_pages):
        response = fetch(url, params)
        yield response
        following = next_link(response.headers)
        if not following:
            return
        url, params = same_host(base, following, platform), None
    raise _too_many(what, max_pages)


def next_cursor(
    fetch: Callable[[Params], Any],
    params: Mapping[str, str],
    *,
    what: str,
    max_pages: int,
) -> Iterator[dict[str, Any]]:
    """Gorgias-style pages (JSON objects), passing ``cursor=meta.next_cursor`` on.

    Raises PermanentError when a page is not a JSON object or there are more
    than `max_pages` pages; the errors of `fetch` pass through.
    """
    current: dict[str, str] = dict(params)
    for _ in range(max_pages):
        page = fetch(current)
        if not isinstance(page, dict):
            raise PermanentError(f"{what}: a page is not a JSON object")
        yield page
        meta = page.get("meta")
        cursor = meta.get("next_cursor") if isinstance(meta, dict) else None
        if not cursor:
            return
        current = {**params, "cursor": str(cursor)}
    raise _too_many(what, max_pages)
