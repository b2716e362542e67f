"""The ``admin:`` settings section (who may use the admin page, and how) and the
``report:`` section (the support lead's targets).

Admin accounts are named in config with the SHA-256 of their token, never the
token: ``sha256:`` and 64 hex digits (`token_hash`). Tokens are random, 32 bytes
or more (``python3 -c 'import secrets; print(secrets.token_urlsafe(32))'``), which
is why a plain hash is enough: there is no word list to try against it. A
``viewer`` sees every page; a ``resolver`` may also resolve, dismiss, undo, return
to the AI and replay failed jobs. The single shared ``HANDOFF_ADMIN_TOKEN`` still
works, as a resolver named "admin".
Validation names the key: a malformed hash, two accounts with one hash, an
unknown role, or targets out of order are errors.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from core.platform_settings import Section

_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")
Role = Literal["viewer", "resolver"]


def token_hash(token: str) -> str:
    """The value to put in ``admin.accounts.<name>.token_hash`` for `token`."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


class AdminAccount(Section):
    """One person: the name shown on what they did, their role and their token's hash."""

    display_name: str = Field(min_length=1, max_length=64)
    role: Role = "viewer"
    token_hash: str

    @field_validator("token_hash")
    @classmethod
    def _hashed(cls, value: str) -> str:
        if not _HASH.match(value):
            raise ValueError("must be 'sha256:' and 64 lower-case hex digits (the hash of the "
                             "token, never the token itself)")
        return value


class AdminSettings(Section):
    """Admin accounts, how long a dismissal can be undone, and the reasons offered."""

    accounts: dict[str, AdminAccount] = Field(default_factory=dict)
    undo_seconds: int = Field(default=60, ge=0, le=3600)
    dismiss_reasons: tuple[str, ...] = (
        "The AI could have answered it",
        "Duplicate ticket",
        "Spam or not a customer",
        "The customer solved it",
    )

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        seen: dict[str, str] = {}
        for name, account in self.accounts.items():
            if account.token_hash in seen:
                raise ValueError(f"admin.accounts.{name}: same token_hash as "
                                 f"admin.accounts.{seen[account.token_hash]}")
            seen[account.token_hash] = name
        return self


class ReportSettings(Section):
    """The support lead's targets, shown beside each figure of ``handoff report``.

    The seed playbooks aim at 10-20% of tickets escalated, and at escalations a person
    answers fast."""

    escalation_rate_min: float = Field(default=0.10, ge=0, le=1)
    escalation_rate_max: float = Field(default=0.20, ge=0, le=1)
    first_reply_median_minutes: float = Field(default=60, gt=0)
    first_reply_p90_minutes: float = Field(default=240, gt=0)
    containment_min: float = Field(default=0.50, ge=0, le=1)
    reopen_rate_max: float = Field(default=0.10, ge=0, le=1)
    draft_acceptance_min: float = Field(default=0.60, ge=0, le=1)
    # CSAT of AI-solved tickets at most this far below that of human-solved ones.
    csat_gap_max: float = Field(default=0.05, ge=0, le=1)
    # An auto-resolved ticket counts as contained when not reopened within these days.
    reopen_days: int = Field(default=7, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.escalation_rate_min > self.escalation_rate_max:
            raise ValueError("report.escalation_rate_min is above report.escalation_rate_max")
        if self.first_reply_median_minutes > self.first_reply_p90_minutes:
            raise ValueError("report.first_reply_median_minutes is above "
                             "report.first_reply_p90_minutes")
        return self
