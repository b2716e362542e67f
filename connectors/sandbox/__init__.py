"""The sandbox helpdesk: an in-memory server that speaks the helpdesks' API shapes.

`create_app` builds it, `serve` runs it in the foreground (the CLI), and
`BackgroundServer` runs it in a thread (tests, benchmarks). Zendesk lives under
``/zendesk/api/v2``, Freshdesk under ``/freshdesk/api/v2`` and Gorgias under
``/gorgias/api``; the control routes under ``/sandbox`` create tickets and
customer replies (each followed by a signed webhook) and inject faults.
"""

from __future__ import annotations

from connectors.sandbox.app import BackgroundServer, create_app, serve

__all__ = ["BackgroundServer", "create_app", "serve"]
