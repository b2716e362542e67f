"""The one typed settings object, validated once at start-up.

Every model forbids unknown keys, so a misspelt key fails loudly instead of
silently falling back to a default. Secrets never come from the YAML file: they
are read from the environment (``HANDOFF_<PLATFORM>_<FIELD>``, for example
``HANDOFF_ZENDESK_API_TOKEN``). `parse_settings` is pure: the caller reads the
file and passes its text and the environment.

On failure `parse_settings` raises `ConfigError` whose message names the
offending key, the value and the reason.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal, Self, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from core import lexicon
from core.admin_settings import AdminSettings, ReportSettings
from core.aftercare import AftercareSettings
from core.errors import ConfigError
from core.ladder_settings import EscalationSettings
from core.language_settings import LanguageSettings
from core.models import Priority
from core.note_settings import CustomerRecordSettings
from core.patterns import operator_pattern

# Re-exported: the platform sections are part of the one settings object.
from core.platform_settings import FreshdeskSettings as FreshdeskSettings
from core.platform_settings import GorgiasSettings as GorgiasSettings
from core.platform_settings import PlatformSettings as PlatformSettings
from core.platform_settings import PlatformsSettings as PlatformsSettings
from core.platform_settings import RateBudget as RateBudget
from core.platform_settings import Section as _Section
from core.platform_settings import ZendeskSettings as ZendeskSettings
from core.rule_settings import RulesSettings

SECRET_FIELDS = ("api_token", "signing_secret", "webhook_secret")
STRONG_FRUSTRATION = 3.0


class ReceiverSettings(_Section):
    # Zendesk refuses to send payloads of 256 KB or more, so nothing larger is genuine.
    max_body_bytes: int = Field(default=262_144, gt=0)
    replay_window_seconds: int = Field(default=300, gt=0)
    dedupe_ttl_seconds: int = Field(default=86_400, gt=0)


class QueueSettings(_Section):
    """The RQ queue. A job whose worker died is noticed once its heartbeat lapses
    (`heartbeat_seconds` + 60 s, rq's margin) at the next maintenance pass, and is
    then retried like a failed one."""

    name: str = "handoff"
    job_timeout_seconds: int = Field(default=120, gt=0)
    retry_intervals_seconds: tuple[int, ...] = (10, 60, 300)
    heartbeat_seconds: int = Field(default=10, gt=0)
    maintenance_interval_seconds: int = Field(default=60, gt=0)


class CategoryPolicy(_Section):
    """Overrides for the articles of one knowledge category; unset keys keep the defaults."""

    auto_resolve_threshold: float | None = Field(default=None, ge=0, le=1)
    draft_threshold: float | None = Field(default=None, ge=0, le=1)


class PolicySettings(_Section):
    """Thresholds, overrides and modes.

    - `categories`: per knowledge-category thresholds (keyed by the article's category).
    - `never_auto_resolve`: high-risk topics or article categories that may be drafted
      but never auto-resolved; any other high-risk topic escalates (`always_escalate`
      "*" means every topic not listed in `never_auto_resolve`).
    - `mode`: ``live`` acts; ``shadow`` decides and logs, writing at most an internal
      note (`shadow_note`); ``draft_only`` turns every auto-resolve into a draft.
    """

    auto_resolve_threshold: float = Field(default=0.9, ge=0, le=1)
    draft_threshold: float = Field(default=0.5, ge=0, le=1)
    categories: dict[str, CategoryPolicy] = Field(default_factory=dict)
    never_auto_resolve: tuple[str, ...] = ()
    always_escalate: tuple[str, ...] = ("*",)
    mode: Literal["live", "shadow", "draft_only"] = "live"
    shadow_note: bool = True
    # Frustration forces escalation at or above this score (`core.frustration`; the signal
    # fires at 0.1); milder frustration is a signal only, or offered (`offer_human`).
    strong_frustration: float = Field(default=STRONG_FRUSTRATION, ge=0)
    escalate_on_sla_risk: bool = True
    # Soft triggers that offer the customer a person instead of escalating (`core.offer`).
    offer_human: tuple[Literal["frustration", "loop", "sla_risk"], ...] = ()
    # A customer's newest message with a file (a photo of the damage, a receipt) is never
    # answered from its text alone: at most a draft, with reason ``attachment``.
    never_auto_resolve_attachments: bool = True

    def thresholds(self, category: str | None) -> tuple[float, float, str]:
        """(auto-resolve, draft) thresholds for an article category, and the rule's name."""
        override = self.categories.get(category or "")
        if override is None:
            return self.auto_resolve_threshold, self.draft_threshold, "policy"
        auto = override.auto_resolve_threshold
        draft = override.draft_threshold
        return (
            self.auto_resolve_threshold if auto is None else auto,
            self.draft_threshold if draft is None else draft,
            f"policy.categories.{category}",
        )

    def escalates(self, topic: str) -> bool:
        """Whether a high-risk `topic` forces escalation (else it only blocks auto-resolve)."""
        if topic in self.always_escalate:
            return True
        return "*" in self.always_escalate and topic not in self.never_auto_resolve

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.draft_threshold > self.auto_resolve_threshold:
            raise ValueError("draft_threshold must not exceed auto_resolve_threshold")
        return self


def _valid_patterns(patterns: tuple[str, ...], per_line: bool) -> tuple[str, ...]:
    """Compile each pattern as it will be matched (`core.patterns`); ValueError names it."""
    for pattern in patterns:
        operator_pattern(pattern, per_line)
    return patterns


class TriggerSettings(_Section):
    """Phrases (regular expressions, case-insensitive, per line) that force escalation.

    Patterns from the file are RE2 syntax (`core.patterns`). Defaults come from
    `core.lexicon`. A `high_risk` mapping in the file replaces
    only the topics it names; an empty list switches a topic off.
    """

    human_request: tuple[str, ...] = lexicon.HUMAN_REQUEST
    # The learned model (`core.human_model`) also reads the newest customer message, for
    # requests worded as no phrase is; false: the phrases alone.
    human_request_model: bool = True
    high_risk: dict[str, tuple[str, ...]] = Field(default_factory=lambda: dict(lexicon.HIGH_RISK))
    # Per topic: a match whose sentence also matches one of these does not count.
    high_risk_except: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(lexicon.HIGH_RISK_EXCEPT)
    )
    # VIP: ticket or requester tags, requester organisations, or custom field values.
    vip_tags: tuple[str, ...] = ("vip",)
    vip_organizations: tuple[str, ...] = ()
    vip_fields: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    sla_margin_minutes: int = Field(default=60, ge=0)
    loop_ai_turns: int = Field(default=2, ge=1)
    restate_similarity: float = Field(default=0.6, gt=0, le=1)
    # Languages the knowledge base is written in; others never auto-resolve.
    knowledge_languages: tuple[str, ...] = ("en",)
    # Negation cues added to the shipped ones: just before a human-request phrase, or
    # right after it (`core.triggers.negated`). RE2 patterns.
    negation: tuple[str, ...] = ()
    negation_after: tuple[str, ...] = ()

    @field_validator("negation", "negation_after")
    @classmethod
    def _cues_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _valid_patterns(value, per_line=False)

    @field_validator("human_request")
    @classmethod
    def _human_request_compiles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _valid_patterns(value, per_line=True)

    @field_validator("high_risk")
    @classmethod
    def _high_risk_merged(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for topic, patterns in value.items():
            if not re.fullmatch(r"[a-z0-9_]+", topic):
                raise ValueError(f"topic {topic!r} must be lowercase letters, digits or '_'")
            _valid_patterns(patterns, per_line=True)
        return {**lexicon.HIGH_RISK, **value}

    @field_validator("high_risk_except")
    @classmethod
    def _except_merged(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for patterns in value.values():
            _valid_patterns(patterns, per_line=True)
        return {**lexicon.HIGH_RISK_EXCEPT, **value}


class Route(_Section):
    group: str | None = None
    assignee: str | None = None
    priority: Priority | None = None


class BusinessHours(_Section):
    """When people answer; outside these hours the customer is told so.

    `timezone` (an IANA name such as ``Europe/Berlin``) follows daylight saving and,
    when set, replaces `utc_offset_hours`. `holidays` are closed all day, in local time.
    """

    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday is 0
    start: str = Field(default="09:00", pattern=r"^\d\d:\d\d$")
    end: str = Field(default="17:00", pattern=r"^\d\d:\d\d$")
    utc_offset_hours: float = Field(default=0.0, ge=-14, le=14)
    timezone: str | None = None
    holidays: tuple[date, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r} (use an IANA name such as "
                                 "Europe/Berlin)") from exc
        return value


class RoutingSettings(_Section):
    """Where escalations go. Keys of `by_reason` are reason codes such as
    ``human_request`` or ``high_risk:refund``; the most specific match wins. Keys of
    `by_language` are the customer's language (ISO 639-1); such a route applies when no
    reason route does, and fills what a reason route leaves unset
    (`core.actions.route_for`)."""

    default: Route = Route()
    by_reason: dict[str, Route] = Field(default_factory=dict)
    by_language: dict[str, Route] = Field(default_factory=dict)
    business_hours: BusinessHours | None = None


class ExclusionSettings(_Section):
    """Tickets the AI never touches. The ``*_patterns``, ``auto_responder_*`` lists are
    regular expressions in RE2 syntax (`core.patterns`), case-insensitive."""

    tags: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    requester_emails: tuple[str, ...] = ()
    requester_domains: tuple[str, ...] = ()
    subject_patterns: tuple[str, ...] = ()
    # Answering an auto-responder starts a mail loop, so these are excluded by default.
    auto_responder_senders: tuple[str, ...] = (
        r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)(\+[^@]*)?@",
    )
    auto_responder_subjects: tuple[str, ...] = (
        r"^(auto(matic)?[ -]?(reply|response)|out of (the )?office|undeliverable|"
        r"delivery status notification|abwesenheitsnotiz|r[ée]ponse automatique|"
        r"respuesta autom[áa]tica)",
    )

    @field_validator("subject_patterns", "auto_responder_senders", "auto_responder_subjects")
    @classmethod
    def _subject_patterns_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _valid_patterns(value, per_line=False)


class TagSettings(_Section):
    auto_resolve: tuple[str, ...] = ("handoff_auto_resolved",)
    draft: tuple[str, ...] = ("handoff_draft",)
    escalate: tuple[str, ...] = ("handoff_escalated",)
    # An agent adds it to hand an escalated (or human-answered) ticket back to the AI.
    return_to_ai: str = Field(default="handoff_return_to_ai", min_length=1)

    @model_validator(mode="after")
    def _return_is_not_escalate(self) -> Self:
        if self.return_to_ai.lower() in {t.lower() for t in self.escalate}:
            raise ValueError(f"return_to_ai = {self.return_to_ai!r} must not be one of the "
                             "escalate tags")
        return self


class HumanFirstSettings(_Section):
    """When a person keeps the AI out of a ticket (`core.guards`).

    An agent's public reply always does, and no key here can change that: each one
    only adds caution. `internal_note`: an agent's internal note does too.
    `assigned`: a ticket assigned to a person does too, even before anyone wrote.
    """

    internal_note: bool = False
    assigned: bool = False


class LLMSettings(_Section):
    """An optional remote model behind the scorer interface; the key comes from the
    environment variable named by `api_key_env`, never from the file."""

    provider: Literal["openai", "anthropic"]
    model: str
    base_url: str | None = None
    api_key_env: str = "HANDOFF_LLM_API_KEY"
    timeout_seconds: float = Field(default=20.0, gt=0)
    max_tokens: int = Field(default=600, gt=0)

    def api_base(self) -> str:
        """`base_url`, else the provider's public API root."""
        default = "https://api.openai.com/v1" if self.provider == "openai" \
            else "https://api.anthropic.com"
        return (self.base_url or default).rstrip("/")


class Settings(_Section):
    """Everything Handoff reads at start-up."""

    platforms: PlatformsSettings = PlatformsSettings()
    receiver: ReceiverSettings = ReceiverSettings()
    queue: QueueSettings = QueueSettings()
    policy: PolicySettings = PolicySettings()
    triggers: TriggerSettings = TriggerSettings()
    routing: RoutingSettings = RoutingSettings()
    exclusions: ExclusionSettings = ExclusionSettings()
    tags: TagSettings = TagSettings()
    human_first: HumanFirstSettings = HumanFirstSettings()
    aftercare: AftercareSettings = AftercareSettings()
    escalation: EscalationSettings = EscalationSettings()
    knowledge_dir: Path = Path("knowledge")
    # Where the persisted index and its calibration live (default: knowledge_dir/.handoff-index).
    index_dir: Path | None = None
    # Values for ``[Website Name]``-style gaps in articles; a reply with a gap left is
    # never auto-resolved.
    placeholders: dict[str, str] = Field(default_factory=dict)
    # Also index each configured helpdesk's own articles and macros (at worker start).
    knowledge_from_helpdesk: bool = False
    # Unset: the local scorer answers. Set: the local index retrieves, the model writes.
    llm: LLMSettings | None = None
    rules: RulesSettings = RulesSettings()
    # `handoff purge` deletes decision-log and closed escalation rows older than this.
    retention_days: int = Field(default=365, ge=1)
    language: LanguageSettings = LanguageSettings()
    admin: AdminSettings = AdminSettings()
    report: ReportSettings = ReportSettings()
    handoff_note: CustomerRecordSettings = CustomerRecordSettings()

    @model_validator(mode="after")
    def _rules_fit(self) -> Self:
        if self.rules.uses_hours() and self.routing.business_hours is None:
            raise ValueError("a rule tests hours.business, so routing.business_hours must be set")
        for index, rule in enumerate(self.rules.list):
            ladder = rule.then.ladder
            if ladder is not None and ladder not in self.escalation.ladders:
                known = ", ".join(sorted(self.escalation.ladders)) or "none"
                raise ValueError(f"rules.list.{index}.then.ladder = {ladder!r}: no such ladder "
                                 f"in escalation.ladders (ladders: {known})")
        return self


def parse_settings(text: str, source: str, env: Mapping[str, str], base_dir: Path) -> Settings:
    """Validate a YAML document plus secrets from `env`.

    `base_dir` resolves relative paths (the directory holding the file).
    Raises ConfigError naming the key, the value and the reason.
    """
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the top level must be a mapping, got {type(raw).__name__}")
    _inject_secrets(raw, source, env)
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from exc
    if not settings.knowledge_dir.is_absolute():
        settings = settings.model_copy(update={"knowledge_dir": base_dir / settings.knowledge_dir})
    return settings


def _inject_secrets(raw: dict[str, Any], source: str, env: Mapping[str, str]) -> None:
    platforms = raw.get("platforms")
    if not isinstance(platforms, dict):
        return
    for name, section in platforms.items():
        if not isinstance(section, dict):
            continue
        for field in SECRET_FIELDS:
            variable = f"HANDOFF_{str(name).upper()}_{field.upper()}"
            if field in section:
                raise ConfigError(
                    f"{source}: platforms.{name}.{field}: secrets are not read from the "
                    f"config file; set {variable} in the environment instead"
                )
            if env.get(variable):
                section[field] = env[variable]


def _describe(exc: ValidationError, source: str) -> str:
    lines = [f"{source}: {exc.error_count()} invalid setting(s)"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        value = error.get("input")
        shown = "***" if any(s in key for s in SECRET_FIELDS) else repr(value)
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(error["loc"][-1]), _keys_beside(error["loc"]),
                                              n=1)
            message = "unknown key" + (f"; did you mean {close[0]}?" if close else "")
        lines.append(f"  {key} = {shown}: {message}")
    return "\n".join(lines)


def _keys_beside(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the section holding ``loc[-1]`` accepts; empty when it is not a model."""
    model: Any = Settings
    mapping = False  # the part before was a mapping's name: this part is a free key
    for part in loc[:-1]:
        if mapping:
            mapping = False
            continue
        field = model.model_fields.get(part)
        annotation = field.annotation if field is not None else None
        mapping = get_origin(annotation) is dict
        model = next((a for a in (annotation, *get_args(annotation))
                      if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            return []
    return list(model.model_fields)


def masked(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, with every secret replaced by ``***``."""
    data: dict[str, Any] = settings.model_dump(mode="json")
    for section in data.get("platforms", {}).values():
        if isinstance(section, dict):
            for field in SECRET_FIELDS:
                if section.get(field) is not None:
                    section[field] = "***"
    return data
