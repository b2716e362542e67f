"""Settings for each helpdesk account, part of the one `core.settings.Settings` object.

Secret fields (API tokens, signing and webhook secrets) are never read from the
YAML file; `core.settings.parse_settings` fills them from the environment.
Every model forbids unknown keys; a bad value raises pydantic's ValidationError,
which `parse_settings` turns into a ConfigError naming the key.
"""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


class Section(BaseModel):
    """Base of every settings section: frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RateBudget(Section):
    """Calls allowed per window for one helpdesk account, shared by every worker."""

    calls: int = Field(gt=0)
    per_seconds: float = Field(gt=0)


class PlatformSettings(Section):
    """What every helpdesk account has: an address, timeouts, retries and a rate budget.

    `base_url` overrides the address built from the account name (sandbox, proxies).
    """

    base_url: str | None = None
    ai_user_id: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=10)
    max_total_wait_seconds: float = Field(default=30.0, ge=0)
    rate_budget: RateBudget | None = None

    def api_base(self) -> str:
        """The API root; `base_url` when set, else the platform's own template."""
        if self.base_url:
            return self.base_url.rstrip("/")
        return self._default_base()

    def _default_base(self) -> str:
        raise NotImplementedError


class ZendeskSettings(PlatformSettings):
    """One Zendesk account (https://{subdomain}.zendesk.com). Default budget: 700/min."""

    subdomain: str | None = None
    email: str
    # Update Ticket has its own account-wide limit, below the plan's, that agents share.
    update_ticket_budget: RateBudget = RateBudget(calls=100, per_seconds=60)
    api_token: SecretStr | None = None
    signing_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _has_address(self) -> Self:
        if not (self.subdomain or self.base_url):
            raise ValueError("set either subdomain or base_url")
        return self

    def _default_base(self) -> str:
        return f"https://{self.subdomain}.zendesk.com/api/v2"


class SharedSecretSettings(PlatformSettings):
    """An account at ``https://{domain}.<helpdesk>`` whose webhooks are not signed.

    Deliveries must carry `webhook_secret` in the header named `secret_header`
    (Freshdesk also accepts it as the HTTP basic-auth password).
    """

    base_template: ClassVar[str]
    domain: str | None = None
    secret_header: str = "X-Handoff-Secret"  # noqa: S105 - a header name, not a secret
    api_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _has_address(self) -> Self:
        if not (self.domain or self.base_url):
            raise ValueError("set either domain or base_url")
        return self

    def _default_base(self) -> str:
        return self.base_template.format(domain=self.domain)


class FreshdeskSettings(SharedSecretSettings):
    """One Freshdesk account (https://{domain}.freshdesk.com). Default budget: 200/min."""

    base_template: ClassVar[str] = "https://{domain}.freshdesk.com/api/v2"


class GorgiasSettings(SharedSecretSettings):
    """One Gorgias account (https://{domain}.gorgias.com). Default budget: 40 per 20 s."""

    base_template: ClassVar[str] = "https://{domain}.gorgias.com/api"
    email: str


class PlatformsSettings(Section):
    """Which helpdesks are enabled; an absent platform receives no webhooks."""

    zendesk: ZendeskSettings | None = None
    freshdesk: FreshdeskSettings | None = None
    gorgias: GorgiasSettings | None = None

    def enabled(self) -> dict[str, Section]:
        """The configured platforms, by registry name."""
        return {name: value for name, value in self if value is not None}
