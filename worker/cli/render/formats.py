"""``handoff report --json`` and ``--html``: the same figures as the terminal report, as one
JSON object or one self-contained HTML file, drawn with the admin site's templates and
stylesheet (`infra.pages`), charts embedded as PNG.

Reads only through `infra.store.escalations.Escalations` and
`infra.store.lead_report`; raises what they raise, and OSError when the file cannot
be written.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import click

from core.admin_settings import ReportSettings
from core.aftercare import suggestion
from core.labels import reason_label
from infra.pages import png, readable_time, render
from infra.store import lead_report
from infra.store.escalations import Escalations
from worker.cli.render.charts import pyplot

OUTCOMES = ("accepted", "edited", "rejected")
FEEDBACK_HEAD = ["", "Drafts", "Accepted", "Edited", "Rejected", "Acceptance", "Mean edit"]


def collect(records: Escalations, start: datetime, end: datetime, targets: ReportSettings,
            now: datetime) -> dict[str, Any]:
    """The lead's figures over the period, and now: open escalations (by reason and
    each), draft feedback, suggestions, holdout, lift."""
    open_records = records.list_open(limit=10_000, now=now)
    by_reason: dict[str, int] = {}
    for record in open_records:
        by_reason[record["reason"]] = by_reason.get(record["reason"], 0) + 1
    categories = records.feedback("category")
    return {
        "generated_at": now.isoformat(),
        "lead": lead_report.collect(records, start, end, targets, now),
        "open_escalations": len(open_records),
        "open_by_reason": dict(sorted(by_reason.items(), key=lambda item: -item[1])),
        "open": [{"id": r["id"], "platform": r["platform"], "ticket_id": r["ticket_id"],
                  "reason": r["reason"], "severity": r["severity"],
                  "age_hours": round((now - r["opened_at"]).total_seconds() / 3600, 1),
                  "summary": r["summary"]} for r in open_records],
        "feedback_by_category": categories,
        "feedback_by_article": records.feedback("article"),
        "suggestions": [s.strip() for c, e in categories.items()
                        if (s := suggestion(c, e["counts"]))],
        "holdout": records.holdout_summary(),
        "lift": records.lift(),
    }


def _figure(height: float) -> Any:
    plt = pyplot()

    return plt.subplots(figsize=(7, height), dpi=80)


def _png(fig: Any) -> str:
    from matplotlib import pyplot as plt

    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return png(buffer.getvalue())


def count_figure(counts: dict[str, int], label: str) -> Any:
    """Horizontal bars of whole counts, on an axis whose ticks are integers."""
    from matplotlib.ticker import MaxNLocator

    fig, axis = _figure(0.4 * max(3, len(counts)) + 1)
    names = list(counts)[::-1]
    axis.barh([reason_label(n) for n in names], [counts[n] for n in names], color="#b42318")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlim(0, max(counts.values(), default=0) + 1)
    axis.set_xlabel(label)
    return fig


def count_chart(counts: dict[str, int], label: str) -> str:
    """`count_figure` as a PNG data URI."""
    return _png(count_figure(counts, label))


def weeks_chart(lead: dict[str, Any]) -> str:
    """The escalation rate per week against the target band, as a data URI."""
    from matplotlib.ticker import PercentFormatter

    weeks = lead["escalation"]["by_week"]
    targets = lead["targets"]
    fig, axis = _figure(3.2)
    axis.axhspan(targets["escalation_rate_min"], targets["escalation_rate_max"],
                 color="#2e7d32", alpha=0.15, label="target")
    axis.bar(list(weeks), [w["rate"] or 0 for w in weeks.values()], color="#2454d6",
             label="escalated")
    axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axis.set_ylim(0, max([0.3, *(w["rate"] or 0 for w in weeks.values())]) * 1.1)
    axis.legend(loc="upper right", fontsize=8)
    return _png(fig)


def _feedback_rows(rows: dict[str, dict[str, Any]]) -> list[list[str]]:
    body = []
    for key, entry in rows.items():
        counts = entry["counts"]
        accepted = counts.get("accepted", 0) + counts.get("edited", 0)
        share = accepted / entry["total"] if entry["total"] else 0.0
        body.append([key, str(entry["total"]), *(str(counts.get(o, 0)) for o in OUTCOMES),
                     f"{share:.0%}", f"{entry['mean_edit_ratio']:.2f}"])
    return body


def page(data: dict[str, Any]) -> str:
    """The report as one HTML file: no script, no external resource."""
    rows = {
        "open_by_reason_rows": [[reason_label(k), str(v)]
                                for k, v in data["open_by_reason"].items()],
        "open_rows": [[str(r["id"]), f"{r['age_hours']:.1f}", r["severity"],
                       reason_label(r["reason"]), f"{r['platform']} #{r['ticket_id']}",
                       r["summary"]] for r in data["open"][:500]],
        "feedback_category_rows": _feedback_rows(data["feedback_by_category"]),
        "feedback_article_rows": _feedback_rows(data["feedback_by_article"]),
        "holdout_rows": [[k, str(v)] for k, v in sorted(data["holdout"].items())],
    }
    charts = {"reasons": count_chart(data["open_by_reason"], "open escalations")
              if data["open_by_reason"] else "",
              "weeks": weeks_chart(data["lead"]) if data["lead"]["escalation"]["by_week"]
              else ""}
    return render("report.html", data={**data, **rows}, charts=charts,
                  feedback_head=FEEDBACK_HEAD)


def terminal(lead: dict[str, Any]) -> None:
    """The lead's figures, each with its target, for the terminal."""
    def mark(met: bool | None) -> str:
        return {True: "met", False: "MISSED", None: "no data"}[met]

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    t = lead["targets"]
    period = lead["period"]
    click.echo(f"period: {readable_time(period['start'])} to {readable_time(period['end'])}, "
               f"{lead['tickets']} ticket(s) decided")
    esc, cont, reopen = lead["escalation"], lead["containment"], lead["reopen"]
    reply, drafts = lead["first_reply"], lead["drafts"]
    click.echo(f"  escalation rate   {pct(esc['rate']):>7}  target "
               f"{t['escalation_rate_min']:.0%}-{t['escalation_rate_max']:.0%}  "
               f"{mark(esc['met'])}")
    click.echo(f"  containment       {pct(cont['rate']):>7}  target >= "
               f"{t['containment_min']:.0%}  {mark(cont['met'])}")
    click.echo(f"  reopen rate       {pct(reopen['rate']):>7}  target <= "
               f"{t['reopen_rate_max']:.0%}  {mark(reopen['met'])}")
    median = "-" if reply["median_minutes"] is None else \
        f"{reply['median_minutes']} / {reply['p90_minutes']} min"
    click.echo(f"  first human reply {median} (median / p90)  target "
               f"{t['first_reply_median_minutes']:g} / {t['first_reply_p90_minutes']:g} min  "
               f"{mark(reply['met'])}")
    click.echo(f"  draft acceptance  {pct(drafts['acceptance']):>7}  target >= "
               f"{t['draft_acceptance_min']:.0%}  {mark(drafts['met'])}")
    csat = lead["csat"]
    click.echo(f"  CSAT AI / human   {pct(csat['ai']['score'])} ({csat['ai']['rated']} rated) / "
               f"{pct(csat['human']['score'])} ({csat['human']['rated']} rated)  target AI >= "
               f"human - {t['csat_gap_max']:.0%}  {mark(csat['met'])}")
    for code, figures in esc["by_reason"].items():
        click.echo(f"    {reason_label(code)}: {figures['tickets']} ({pct(figures['rate'])})")
    for week, figures in esc["by_week"].items():
        click.echo(f"    {week}: {figures['escalated']}/{figures['tickets']} escalated "
                   f"({pct(figures['rate'])})")
    for group, figures in reply["by_group"].items():
        click.echo(f"    {group}: median {figures['median_minutes']} min, "
                   f"p90 {figures['p90_minutes']} min ({figures['replied']} replied)")


def write(data: dict[str, Any], as_json: bool, html_path: str | None) -> None:
    """Print the JSON (`as_json`) and/or write the HTML file; raises OSError."""
    if html_path:
        with open(html_path, "w", encoding="utf-8") as handle:
            handle.write(page(data))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
