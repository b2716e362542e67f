"""``handoff policy test``: why did the AI do that? Every signal, every rule, the path.

The ticket is a canonical JSON file (one object, or the first line of a JSONL
file), or a ticket id read from a configured helpdesk with ``--platform``. Nothing
is written anywhere: the engine is pure, and the helpdesk is only read.

Exit codes: 0 printed, 2 bad configuration, an unreadable ticket file, or a
helpdesk that refused the read.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from core.engine import decide, last_activity
from core.errors import ConfigError, HandoffError
from core.models import Decision, Ticket
from core.rules import Check, evaluate
from core.settings import Settings
from worker.cli.base import EXIT_CONFIG, DataError


@click.command("test")
@click.argument("ticket")
@click.option("--platform", help="Read TICKET as a ticket id from this configured helpdesk.")
@click.option("--now", "now_text", help="Decide as at this ISO time (default: the ticket's "
              "latest activity), for business hours, tenure and SLA rules.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def policy_test(ticket: str, platform: str | None,
                now_text: str | None, as_json: bool) -> None:
    """Show every signal, every rule (matched or not, and why) and the final path for
    TICKET: a canonical ticket JSON file, or an id with --platform."""
    from infra.config import load_settings
    from worker.scoring import build_scorer

    try:
        settings = load_settings()
        now = datetime.fromisoformat(now_text) if now_text else None
        loaded = _load(ticket, platform, settings)
        decision = decide(loaded, build_scorer(settings), settings, now)
    except (ConfigError, DataError, ValueError) as exc:
        click.echo(f"policy test: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    except HandoffError as exc:
        click.echo(f"policy test: could not read ticket {ticket} from {platform}: {exc}",
                   err=True)
        sys.exit(EXIT_CONFIG)
    when = now or last_activity(loaded)
    checks = evaluate(settings.rules, loaded, decision.signals, when,
                      settings.routing.business_hours).checks
    report = build_report(loaded, decision, checks, settings, when)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(render(report))


def _load(ticket: str, platform: str | None, settings: Settings) -> Ticket:
    if platform:
        from connectors.registry import build_connector

        return build_connector(platform, settings.platforms).get_ticket(ticket)
    from core.simulation import ticket_from_row

    path = Path(ticket)
    if not path.is_file():
        raise ConfigError(f"{ticket}: no such file (give --platform to read a ticket id)")
    from worker.cli.thresholds import why_not_canonical

    text = path.read_text(encoding="utf-8").strip()
    try:
        row = json.loads(text.splitlines()[0] if path.suffix == ".jsonl" else text)
    except (json.JSONDecodeError, IndexError) as exc:
        raise DataError(f"{ticket}: not a canonical ticket: not JSON: {exc}") from exc
    try:
        return ticket_from_row(row, platform="file")
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{ticket}: {why_not_canonical(exc)}") from exc


def build_report(ticket: Ticket, decision: Decision, checks: tuple[Check, ...],
                 settings: Settings, when: datetime | None) -> dict[str, Any]:
    """The report as plain data: what `render` prints and ``--json`` emits."""
    return {
        "ticket": ticket.id,
        "decided_at": when.isoformat() if when else None,
        "signals": [{"name": s.name, "rule": str(s.value), "evidence": s.evidence}
                    for s in decision.signals],
        "combine": settings.rules.combine,
        "rules": [{"index": c.index, "name": c.rule.name, "matched": c.matched,
                   "applied": c.applied,
                   "tests": [{"condition": t.condition, "held": t.held, "seen": t.seen}
                             for t in c.tests]} for c in checks],
        "confidence": round(decision.confidence, 3),
        "sources": [s.id for s in decision.sources],
        "path": decision.path.value,
        "reasons": [{"code": r.code, "rule": r.rule, "detail": r.detail}
                    for r in decision.reasons],
        "actions": [a.model_dump(mode="json", exclude={"body"}) for a in decision.actions],
    }


def render(report: dict[str, Any]) -> str:
    """The report as text for a terminal."""
    lines = [f"ticket {report['ticket']} (as at {report['decided_at'] or 'unknown'})",
             "signals:"]
    lines += [f"  {s['name']:<22} {s['rule']:<34} {s['evidence']}" for s in report["signals"]]
    lines.append(f"rules ({report['combine']}):" if report["rules"] else "rules: none")
    for rule in report["rules"]:
        state = "applied" if rule["applied"] else "matched, not applied (first_match)" \
            if rule["matched"] else "no match"
        lines.append(f"  [{rule['index']}] {rule['name']}: {state}")
        lines += [f"      {'yes' if t['held'] else 'no ':<3}  {t['condition']}: {t['seen']}"
                  for t in rule["tests"]] or ["      yes  (no conditions)"]
    sources = ", ".join(report["sources"]) or "none"
    lines.append(f"answer: confidence {report['confidence']:.2f}, sources {sources}")
    lines.append(f"path: {report['path']}")
    lines += [f"  reason {r['code']} ({r['rule']}): {r['detail']}" for r in report["reasons"]]
    lines.append("actions:")
    lines += [f"  {_action(a)}" for a in report["actions"]] or ["  (none)"]
    return "\n".join(lines)


def _action(action: dict[str, Any]) -> str:
    kind = action.pop("kind")
    shown = ", ".join(f"{k}={v}" for k, v in action.items() if v not in (None, [], ()))
    return f"{kind} {shown}".rstrip()
