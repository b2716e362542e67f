"""The sandbox helpdesk: an in-memory server that speaks the helpdesks' API shapes.

It is a fake helpdesk that ships for the demo and the tests, not part of Handoff's
path to a real one, and it deliberately shares no code with the connectors it
fakes: a bug copied into both sides would pass every test. So where the two need the
same small thing (turning text into HTML, for one: `connectors.markup` and
`connectors.sandbox.state`), each has its own copy.

`create_app` builds it, `wsgi.build_app` builds it from the environment for gunicorn
(`handoff sandbox`), and `BackgroundServer` runs it in a thread (tests). Zendesk lives
under ``/zendesk/api/v2``, Freshdesk under ``/freshdesk/api/v2`` and Gorgias under
``/gorgias/api``; the control routes under ``/sandbox`` create tickets and
customer replies (each followed by a signed webhook) and inject faults.
"""

from __future__ import annotations

from connectors.sandbox.app import BackgroundServer, create_app

__all__ = ["BackgroundServer", "create_app"]
