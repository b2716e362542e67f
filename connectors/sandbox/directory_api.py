"""The directory routes ``handoff check-config --online`` reads, in each platform's shape.

- Zendesk: ``GET /groups/{id}`` (``{"group": {...}}``), ``GET /ticket_fields``,
  ``GET /user_fields`` and ``GET /organization_fields`` (offset pages with
  ``next_page``); agents are ``GET /users/{id}`` with their ``role``.
- Freshdesk: ``GET /groups/{id}``, ``GET /agents/{id}`` (404 for a contact that is
  not an agent), ``GET /ticket_fields`` and ``GET /contact_fields`` (plain lists).
- Gorgias: ``GET /api/teams/{id}`` and ``GET /api/users/{id}`` (agents only).

Groups are the store's (`Store.groups`, the demo configuration's routing groups to
start with). Ticket fields are the system fields only, since sandbox tickets carry
no custom fields; user and organisation fields are the keys the sandbox's users
and organisations hold. The routes join the platforms' blueprints (auth, call
counts, faults), like `connectors.sandbox.export_api`; importing this module
before the app registers them is what adds them.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from connectors.sandbox import freshdesk_api, gorgias_api, zendesk_api
from connectors.sandbox import freshdesk_shapes as fd
from connectors.sandbox import gorgias_shapes as gg
from connectors.sandbox import zendesk_shapes as zd
from connectors.sandbox.context import current
from connectors.sandbox.state import User

SYSTEM_TICKET_FIELDS = ("subject", "description", "status", "priority", "group", "assignee")
_STAFF = frozenset({"agent", "admin"})


def _group(platform: str, group_id: int) -> dict[str, Any] | None:
    with current().store.lock:
        name = current().store.groups.get(platform, {}).get(group_id)
    return None if name is None else {"id": group_id, "name": name, "description": "",
                                      "created_at": "2024-01-01T00:00:00Z"}


def _staff(platform: str, user_id: int) -> User | None:
    with current().store.lock:
        user = current().store.users.get((platform, user_id))
    return user if user is not None and user.role in _STAFF else None


def _custom_keys(platform: str, organizations: bool) -> list[str]:
    store = current().store
    with store.lock:
        owners = store.organizations if organizations else store.users
        keys = {key for (owner, _), item in owners.items() if owner == platform
                for key in item.fields}
    return sorted(keys)


# -- Zendesk ------------------------------------------------------------------------------

def zendesk_group(group_id: int) -> Any:
    """``GET /groups/{id}``; 404 when there is none."""
    found = _group(zd.PLATFORM, group_id)
    return zd.not_found() if found is None else jsonify({"group": {**found, "deleted": False}})


def _zendesk_fields(key: str, names: list[str], base_id: int) -> Any:
    fields = [{"id": base_id + index, "key": name, "title": name.replace("_", " ").title(),
               "type": "text", "active": True} for index, name in enumerate(names)]
    return jsonify({key: fields, "next_page": None, "previous_page": None,
                    "count": len(fields)})


def zendesk_ticket_fields() -> Any:
    """``GET /ticket_fields``: the system fields (``type`` is the field's name)."""
    return jsonify({"ticket_fields": [
        {"id": 10_000 + index, "type": name, "title": name.title(), "active": True,
         "removable": False} for index, name in enumerate(SYSTEM_TICKET_FIELDS)],
        "next_page": None, "previous_page": None, "count": len(SYSTEM_TICKET_FIELDS)})


def zendesk_user_fields() -> Any:
    """``GET /user_fields``: one text field per key the users' ``user_fields`` hold."""
    return _zendesk_fields("user_fields", _custom_keys(zd.PLATFORM, False), 20_000)


def zendesk_organization_fields() -> Any:
    """``GET /organization_fields``: one per key the organisations' fields hold."""
    return _zendesk_fields("organization_fields", _custom_keys(zd.PLATFORM, True), 30_000)


for _rule, _view in (("/groups/<int:group_id>", zendesk_group),
                     ("/ticket_fields", zendesk_ticket_fields),
                     ("/user_fields", zendesk_user_fields),
                     ("/organization_fields", zendesk_organization_fields)):
    for _path in (_rule, f"{_rule}.json"):
        zendesk_api.blueprint.add_url_rule(_path, view_func=_view, methods=["GET"])


# -- Freshdesk ----------------------------------------------------------------------------

@freshdesk_api.blueprint.get("/groups/<int:group_id>")
def freshdesk_group(group_id: int) -> Any:
    """``GET /groups/{id}``; 404 when there is none."""
    found = _group(fd.PLATFORM, group_id)
    return fd.error(404, "Resource not found") if found is None else jsonify(
        {**found, "agent_ids": [current().store.agent_ids[fd.PLATFORM]]})


@freshdesk_api.blueprint.get("/agents/<int:agent_id>")
def freshdesk_agent(agent_id: int) -> Any:
    """``GET /agents/{id}``; 404 for a contact or an unknown id."""
    user = _staff(fd.PLATFORM, agent_id)
    return fd.error(404, "Resource not found") if user is None else jsonify(
        {"id": user.id, "available": True, "occasional": False,
         "contact": fd.contact_json(user)})


@freshdesk_api.blueprint.get("/ticket_fields")
def freshdesk_ticket_fields() -> Any:
    """``GET /ticket_fields``: the default fields, named as Freshdesk names them."""
    return jsonify([{"id": 40_000 + index, "name": name, "label": name.title(),
                     "type": f"default_{name}", "default": True}
                    for index, name in enumerate(SYSTEM_TICKET_FIELDS)])


@freshdesk_api.blueprint.get("/contact_fields")
def freshdesk_contact_fields() -> Any:
    """``GET /contact_fields``: name and email, and one per custom key the contacts hold."""
    defaults = [{"id": 50_000, "name": "name", "label": "Full name", "default": True},
                {"id": 50_001, "name": "email", "label": "Email", "default": True}]
    custom = [{"id": 50_100 + index, "name": key, "label": key.replace("_", " ").title(),
               "type": "custom_text", "default": False}
              for index, key in enumerate(_custom_keys(fd.PLATFORM, False))]
    return jsonify(defaults + custom)


# -- Gorgias ------------------------------------------------------------------------------

@gorgias_api.blueprint.get("/teams/<int:team_id>")
def gorgias_team(team_id: int) -> Any:
    """``GET /api/teams/{id}``; 404 when there is none."""
    found = _group(gg.PLATFORM, team_id)
    return gg.error(404, "Resource not found") if found is None else jsonify(
        {"id": found["id"], "name": found["name"], "uri": f"/api/teams/{team_id}/",
         "members": [{"id": current().store.agent_ids[gg.PLATFORM]}]})


@gorgias_api.blueprint.get("/users/<int:user_id>")
def gorgias_user(user_id: int) -> Any:
    """``GET /api/users/{id}``: an agent; 404 for a customer or an unknown id."""
    user = _staff(gg.PLATFORM, user_id)
    return gg.error(404, "Resource not found") if user is None else jsonify(
        gg.user_json(user, user_id))
