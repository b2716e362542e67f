"""Server-side admin sessions and the limit on failed sign-ins, both kept in Redis.

Kept in Redis rather than in a process, so that every gunicorn worker of the
receiver sees the same sessions and counts the same failures.

- `Sessions`: a sign-in creates a random session id; the signed cookie carries it
  and Redis holds its hash, with who signed in, for the cookie's lifetime. Signing
  out deletes it, so a copied cookie opens nothing afterwards.
- `Accounts`: who a token belongs to: a named account from ``admin.accounts`` (its
  token's hash), or the single shared token (a resolver named "admin").
- `LoginThrottle`: failed attempts to give the admin token (the sign-in form, the
  Authorization header, ``/metrics``) are counted per client address and for the
  admin account as a whole, in fixed windows. Past either limit every attempt is
  refused, even with the right token, until the window ends.

Every method raises redis.RedisError when Redis is unreachable; the receiver
answers that with 503.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import redis

from core.admin_settings import AdminAccount, Role, token_hash

PREFIX = "handoff:admin"
SHARED = "admin"


@dataclass(frozen=True)
class Person:
    """Who is signed in: the account's key, the name shown on what they did, their role."""

    key: str
    name: str
    role: Role

    @property
    def may_change(self) -> bool:
        return self.role == "resolver"


class Accounts:
    """The named accounts and the shared token (either may be absent, not both)."""

    def __init__(self, shared_token: str | None,
                 accounts: Mapping[str, AdminAccount] | None = None) -> None:
        self.shared_token = shared_token or None
        self.accounts = dict(accounts or {})
        if self.shared_token is None and not self.accounts:
            raise ValueError("the admin page needs a token or an admin account")

    def secret(self) -> bytes:
        """The key cookies are signed with, from this configuration. Without a shared token
        it comes from the accounts' hashes, which anyone reading the configuration knows:
        that is enough, because a cookie opens nothing unless Redis holds its session."""
        material = self.shared_token or "".join(sorted(
            a.token_hash for a in self.accounts.values()))
        return hmac.new(material.encode(), b"handoff-admin-cookie", hashlib.sha256).digest()

    def match(self, offered: str) -> Person | None:
        """The person `offered` is the token of, compared in constant time; None if nobody."""
        if not offered:
            return None
        found: Person | None = None
        if self.shared_token is not None and hmac.compare_digest(
                offered.encode(), self.shared_token.encode()):
            found = Person(SHARED, "admin", "resolver")
        hashed = token_hash(offered).encode()
        for key, account in self.accounts.items():
            if hmac.compare_digest(hashed, account.token_hash.encode()):
                found = Person(key, account.display_name, account.role)
        return found

    def person(self, key: str) -> Person | None:
        """The person a session was made for; None when the account is gone from config."""
        if key == SHARED:
            return Person(SHARED, "admin", "resolver") if self.shared_token else None
        account = self.accounts.get(key)
        return Person(key, account.display_name, account.role) if account else None


@dataclass(frozen=True)
class LoginLimit:
    """Failed attempts allowed per `window_seconds`: from one client address, and in all.

    The account-wide limit stops guessing spread over many addresses; its price is that
    such guessing can lock the admin out for the rest of the window.
    """

    per_address: int = 10
    per_account: int = 100
    window_seconds: int = 900


class LoginThrottle:
    """Counts failed attempts to give the admin token (see the module docstring)."""

    def __init__(self, connection: redis.Redis, limit: LoginLimit | None = None) -> None:
        self.connection = connection
        self.limit = limit or LoginLimit()

    def _keys(self, address: str) -> tuple[str, str]:
        return f"{PREFIX}:failed:address:{address}", f"{PREFIX}:failed:account"

    def blocked(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None when it may try now."""
        by_address, by_account = self._keys(address)
        pipe = self.connection.pipeline(transaction=False)
        pipe.get(by_address)
        pipe.get(by_account)
        pipe.ttl(by_address)
        pipe.ttl(by_account)
        address_count, account_count, address_ttl, account_ttl = pipe.execute()
        waits = [
            int(ttl) for count, ttl, most in (
                (address_count, address_ttl, self.limit.per_address),
                (account_count, account_ttl, self.limit.per_account))
            if count is not None and int(count) >= most
        ]
        # A key without an expiry (-1) should not exist; waiting a whole window is safe.
        return max(self.limit.window_seconds if w < 1 else w for w in waits) if waits else None

    def failed(self, address: str) -> None:
        """Count one failed attempt from `address` (atomically, in one round trip)."""
        pipe = self.connection.pipeline(transaction=True)
        for key in self._keys(address):
            pipe.set(key, 0, ex=self.limit.window_seconds, nx=True)
            pipe.incr(key)
        pipe.execute()

    def succeeded(self, address: str) -> None:
        """Forget the failures of `address` (the account's count stays)."""
        self.connection.delete(self._keys(address)[0])


class Sessions:
    """Admin sessions that live `ttl_seconds` unless revoked."""

    def __init__(self, connection: redis.Redis, ttl_seconds: int) -> None:
        self.connection = connection
        self.ttl_seconds = ttl_seconds

    @staticmethod
    def _key(session_id: str) -> str:
        # Only a hash is stored: reading Redis does not hand out usable session ids.
        return f"{PREFIX}:session:{hashlib.sha256(session_id.encode()).hexdigest()}"

    def create(self, who: str) -> str:
        """A new session id for account `who`, valid for `ttl_seconds`."""
        session_id = secrets.token_urlsafe(32)
        self.connection.set(self._key(session_id), who, ex=self.ttl_seconds)
        return session_id

    def who(self, session_id: str) -> str | None:
        """The account a live session was created for; None when it is unknown, expired or
        revoked (a session from before accounts existed is the shared token's)."""
        if not session_id:
            return None
        value = self.connection.get(self._key(session_id))
        if value is None:
            return None
        text = value.decode() if isinstance(value, bytes) else str(value)
        return SHARED if text == "1" else text

    def revoke(self, session_id: str) -> None:
        """End the session now; unknown ids are ignored."""
        if session_id:
            self.connection.delete(self._key(session_id))
