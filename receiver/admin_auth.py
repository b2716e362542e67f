"""Server-side admin sessions and the limit on failed sign-ins, both kept in Redis.

Kept in Redis rather than in a process, so that every gunicorn worker of the
receiver sees the same sessions and counts the same failures.

- `Sessions`: a sign-in creates a random session id; the signed cookie carries it
  and Redis holds its hash for the cookie's lifetime. Signing out deletes it, so a
  copied cookie opens nothing afterwards.
- `LoginThrottle`: failed attempts to give the admin token (the sign-in form, the
  Authorization header, ``/metrics``) are counted per client address and for the
  admin account as a whole, in fixed windows. Past either limit every attempt is
  refused, even with the right token, until the window ends.

Every method raises redis.RedisError when Redis is unreachable; the receiver
answers that with 503.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import redis

PREFIX = "handoff:admin"


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

    def create(self) -> str:
        """A new session id, valid for `ttl_seconds`."""
        session_id = secrets.token_urlsafe(32)
        self.connection.set(self._key(session_id), 1, ex=self.ttl_seconds)
        return session_id

    def valid(self, session_id: str) -> bool:
        """Whether `session_id` was created here and is neither expired nor revoked."""
        return bool(session_id) and bool(self.connection.exists(self._key(session_id)))

    def revoke(self, session_id: str) -> None:
        """End the session now; unknown ids are ignored."""
        if session_id:
            self.connection.delete(self._key(session_id))
