"""The admin page under ``/admin``: open escalations, recent decisions, the last simulation.

Server-rendered with Jinja, no JavaScript. Access needs a token: the shared one
(``HANDOFF_ADMIN_TOKEN``, a resolver named "admin") or a named account's from
``admin.accounts`` (`receiver.admin_auth.Accounts`): typed into the login form (a
signed, HttpOnly, SameSite=Strict cookie follows, naming a session kept in Redis
that signing out deletes), or sent as ``Authorization: Bearer TOKEN`` or HTTP
basic auth with the token as the password. Without it every page answers 401;
with neither configured the page is off (404). A viewer who posts a change gets
403; every change records the display name of who made it. Failed attempts are
limited per client address and for the account (`receiver.admin_auth`): past the
limit, 429 with ``Retry-After``. Every form that changes something carries a CSRF token bound to
the cookie; its ``back`` field must be a path under ``/admin`` (control characters:
400; anywhere else: the page itself), and a record id beyond what the database can
hold is 404.

The data comes through `AdminStore` (`infra.store.admin_reads.AdminReads`); the
record, ticket, failed-jobs and report pages are `receiver.admin_pages`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import redis
from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from core.admin_settings import AdminSettings
from core.labels import reason_label
from infra.pages import STYLESHEET, TEMPLATES, percent, readable_time
from receiver.admin_auth import Accounts, LoginLimit, LoginThrottle, Person, Sessions
from receiver.admin_pages import Extras, add_pages

COOKIE = "handoff_admin"
COOKIE_MAX_AGE = 12 * 3600
# Record ids are the database's INTEGER: 32 bits on PostgreSQL, so no record has a larger
# one, and a larger one must not reach the database driver (which fails on it).
MAX_RECORD_ID = 2**31 - 1
RECORD = f"<int(max={MAX_RECORD_ID}):record_id>"
AGES: dict[str, tuple[str, timedelta | None, timedelta | None]] = {
    "": ("any age", None, None),
    "lt1h": ("under 1 hour", None, timedelta(hours=1)),
    "1h": ("older than 1 hour", timedelta(hours=1), None),
    "4h": ("older than 4 hours", timedelta(hours=4), None),
    "24h": ("older than 1 day", timedelta(days=1), None),
    "7d": ("older than 7 days", timedelta(days=7), None),
}
OTHER = "Other"


class AdminStore(Protocol):
    """What the page reads and changes. `resolve`, `dismiss`, `return_to_ai` and
    `undo_dismiss` raise ValueError when the record is missing or already closed (or no
    longer undoable), or a dismissal has no note. `return_to_ai` hands the ticket back
    to the AI and returns the record."""

    def count_open(self) -> int: ...

    def list_open(self, *, reason: str | None = None, platform: str | None = None,
                  older_than: timedelta | None = None, newer_than: timedelta | None = None,
                  now: datetime | None = None, limit: int = 200) -> list[dict[str, Any]]: ...

    def open_facets(self) -> dict[str, list[str]]: ...

    def resolve(self, record_id: int, by: str, now: datetime,
                note: str | None = None) -> None: ...

    def dismiss(self, record_id: int, note: str, by: str, now: datetime) -> None: ...

    def undo_dismiss(self, record_id: int, by: str, now: datetime,
                     within: timedelta) -> None: ...

    def recent_decisions(self, limit: int = 25) -> list[dict[str, Any]]: ...

    def return_to_ai(self, record_id: int, by: str, now: datetime) -> dict[str, Any]: ...

    def get(self, record_id: int) -> dict[str, Any] | None: ...

    def decision(self, decision_id: str) -> dict[str, Any] | None: ...

    def ticket(self, platform: str, ticket_id: str, limit: int = 100) -> dict[str, Any]: ...


def age(opened: datetime, now: datetime) -> str:
    """"3 h 12 min" style age of a record."""
    minutes = max(0, int((now - opened).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // 1440} days"


def shared_templates() -> Blueprint:
    """The templates and stylesheet the admin page shares with the HTML reports."""
    return Blueprint("handoff_pages", __name__, template_folder=str(TEMPLATES))


def admin_blueprint(
    store: AdminStore, token: str | None,
    last_simulation: Callable[[], Mapping[str, Any] | None] = lambda: None,
    returned: Callable[[Mapping[str, Any]], object] = lambda record: None,
    *, connection: redis.Redis, limit: LoginLimit | None = None,
    settings: AdminSettings | None = None, extras: Extras | None = None,
) -> Blueprint:
    """The ``/admin`` blueprint for `store`, opened by the shared `token` and the named
    accounts of `settings` (ValueError when there is neither).

    Sessions and the count of failed sign-ins live in Redis through `connection`.
    `returned` is called with a record just handed back to the AI (the worker side
    queues a job for its ticket); an error from it propagates (500), the record stays
    returned and the ticket's next webhook finishes the hand-back. `extras` feeds the
    failed-jobs and report pages (`receiver.admin_pages`).
    """
    options = settings or AdminSettings()
    accounts = Accounts(token, options.accounts)
    blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
    blueprint.register_blueprint(shared_templates())
    signer = URLSafeTimedSerializer(accounts.secret(), salt="handoff-admin")
    sessions = Sessions(connection, COOKIE_MAX_AGE)
    throttle = LoginThrottle(connection, limit)
    undo_window = timedelta(seconds=options.undo_seconds)

    def session() -> dict[str, Any]:
        raw = request.cookies.get(COOKIE, "")
        try:
            data = signer.loads(raw, max_age=COOKIE_MAX_AGE) if raw else {}
        except BadSignature:
            data = {}
        return data if isinstance(data, dict) else {}

    def from_session(data: dict[str, Any]) -> Person | None:
        who = sessions.who(str(data.get("sid") or ""))
        return accounts.person(who) if who is not None else None

    def header_token() -> str | None:
        """The token in the Authorization header; None without a bearer or basic header."""
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ").strip()
        if header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header.removeprefix("Basic ").strip()).decode()
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            return decoded.partition(":")[2]
        return None

    def check(offered: str) -> Response | Person:
        """The person `offered` is the token of, when the client is not locked out; else
        the 401 or 429 page (a wrong token counts as a failed attempt)."""
        address = request.remote_addr or "unknown"
        wait = throttle.blocked(address)
        if wait is not None:
            minutes = max(1, -(-wait // 60))
            page = login_page(f"Too many failed sign-ins. Try again in {minutes} min.", 429)
            page.headers["Retry-After"] = str(wait)
            return page
        person = accounts.match(offered)
        if person is not None:
            return person
        throttle.failed(address)
        return login_page("That token is not right.", 401)

    def with_cookie(response: BaseResponse, data: dict[str, Any]) -> BaseResponse:
        response.set_cookie(COOKIE, signer.dumps(data), max_age=COOKIE_MAX_AGE, httponly=True,
                            samesite="Strict", secure=request.is_secure, path="/admin")
        return response

    def login_page(message: str, status: int) -> Response:
        page = render_template("admin/login.html", message=message)
        response = Response(page, status=status, mimetype="text/html")
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="handoff-admin"'
        return response

    @blueprint.app_template_global("reason_label")
    def _label(code: str) -> str:
        return reason_label(code)

    @blueprint.context_processor
    def _common() -> dict[str, Any]:
        return {"stylesheet": STYLESHEET, "when": readable_time, "age": age, "percent": percent,
                "person": g.get("person"), "extras": extras}

    @blueprint.before_request
    def guard() -> Response | None:
        if request.endpoint in ("admin.login", "admin.login_form"):
            return None
        data = session()
        person = from_session(data)
        g.signed_in = person is not None
        if person is None:
            offered = header_token()
            if offered is None:
                return login_page("Sign in with your admin token to see this page.", 401)
            checked = check(offered)
            if isinstance(checked, Response):
                return checked
            person = checked
        g.person = person
        if request.method == "POST":
            offered = request.form.get("csrf", "")
            expected = str(data.get("csrf", ""))
            if not (expected and hmac.compare_digest(offered.encode(), expected.encode())):
                return login_page("The form had expired. Please try again.", 400)
            if not person.may_change and request.endpoint != "admin.logout":
                abort(403, description=f"{person.name} may look but not change anything "
                                       "(role: viewer)")
        return None

    @blueprint.get("/login")
    def login_form() -> Response:
        return login_page("", 200)

    @blueprint.post("/login")
    def login() -> BaseResponse:
        checked = check(request.form.get("token", ""))
        if isinstance(checked, Response):
            return checked
        throttle.succeeded(request.remote_addr or "unknown")
        response = redirect(url_for("admin.index"), code=303)
        return with_cookie(response, {"sid": sessions.create(checked.key),
                                      "csrf": secrets.token_urlsafe(24)})

    @blueprint.post("/logout")
    def logout() -> BaseResponse:
        sessions.revoke(str(session().get("sid") or ""))
        response = redirect(url_for("admin.login_form"), code=303)
        response.delete_cookie(COOKIE, path="/admin")
        return response

    def csrf_token() -> tuple[dict[str, Any], str]:
        data = session()
        return data, str(data.get("csrf") or secrets.token_urlsafe(24))

    def page(template: str, **context: Any) -> Response:
        """`template` rendered with the CSRF token (a new cookie when there was none)."""
        data, csrf = csrf_token()
        body = render_template(template, csrf=csrf, count=store.count_open(),
                               message=request.args.get("msg", ""),
                               signed_in=g.get("signed_in", False), **context)
        response = Response(body, mimetype="text/html")
        if data.get("csrf") != csrf:
            with_cookie(response, {"sid": data.get("sid"), "csrf": csrf})
        return response

    @blueprint.get("/")
    def index() -> Response:
        now = datetime.now(UTC)
        reason = request.args.get("reason", "")
        platform = request.args.get("platform", "")
        age_key = request.args.get("age", "")
        _, older, newer = AGES.get(age_key, AGES[""])
        records = store.list_open(reason=reason or None, platform=platform or None,
                                  older_than=older, newer_than=newer, now=now)
        undo = request.args.get("undo", "")
        return page(
            "admin/index.html", records=records, now=now, facets=store.open_facets(),
            ages=AGES, chosen={"reason": reason, "platform": platform, "age": age_key},
            decisions=store.recent_decisions(25), simulation=last_simulation(),
            undo=int(undo) if undo.isdigit() and int(undo) <= MAX_RECORD_ID else None,
            undo_seconds=options.undo_seconds, dismiss_reasons=[*options.dismiss_reasons, OTHER],
        )

    def change(record_id: int, action: Callable[[datetime, str], object], done: str,
               undo: bool = False) -> BaseResponse:
        back = _local_back(request.form.get("back", ""), url_for("admin.index"))
        person: Person = g.person
        try:
            action(datetime.now(UTC), person.name)
            message = f"Escalation #{record_id} {done} by {person.name}."
        except ValueError as exc:
            message, undo = f"Nothing changed: {exc}.", False
        separator = "&" if "?" in back else "?"
        extra = f"&undo={record_id}" if undo else ""
        return redirect(f"{back}{separator}msg={_quote(message)}{extra}", code=303)

    @blueprint.post(f"/escalations/{RECORD}/resolve")
    def resolve(record_id: int) -> BaseResponse:
        return change(record_id, lambda now, by: store.resolve(record_id, by, now),
                      "marked resolved")

    @blueprint.post(f"/escalations/{RECORD}/dismiss")
    def dismiss(record_id: int) -> BaseResponse:
        why = request.form.get("why", "").strip()
        note = request.form.get("note", "").strip()
        text = note if why in ("", OTHER) else (f"{why}: {note}" if note else why)
        return change(record_id, lambda now, by: store.dismiss(record_id, text, by, now),
                      "dismissed", undo=options.undo_seconds > 0)

    @blueprint.post(f"/escalations/{RECORD}/undo")
    def undo(record_id: int) -> BaseResponse:
        return change(record_id, lambda now, by: store.undo_dismiss(
            record_id, by, now, undo_window), "is open again")

    @blueprint.post(f"/escalations/{RECORD}/return")
    def return_to_ai(record_id: int) -> BaseResponse:
        return change(record_id, lambda now, by: returned(
            store.return_to_ai(record_id, by, now)), "returned to the AI")

    add_pages(blueprint, store, page, extras or Extras(), connection)
    return blueprint


def _local_back(back: str, default: str) -> str:
    """`back` when it is a path under ``/admin`` on this site, else `default`.

    Aborts with 400 when it holds control, space or non-ASCII characters, which no
    link of the page has and which must never reach a Location header.
    """
    if not back:
        return default
    if any(not 0x21 <= ord(char) <= 0x7E for char in back):
        abort(400, description="the back field must be a plain path under /admin")
    parts = urlsplit(back)
    local = not (parts.scheme or parts.netloc) and (
        parts.path == "/admin" or parts.path.startswith("/admin/"))
    # A backslash, an empty or a dot segment can turn into another path, or another
    # host, on the way through a browser.
    tricky = "\\" in back or "//" in parts.path or any(
        segment in (".", "..") for segment in parts.path.split("/"))
    return back if local and not tricky else default


def _quote(text: str) -> str:
    return quote(text, safe="")
