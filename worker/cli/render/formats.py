"""``handoff report --json`` and ``--html``: the same figures as the terminal report, as one
JSON object or one self-contained HTML file (tables, and a chart embedded as PNG).

Reads only through `infra.store.escalations.Escalations`; raises what it raises.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import datetime
from typing import Any

from core.aftercare import suggestion
from infra.store.escalations import Escalations
from worker.cli.render.charts import pyplot
from worker.cli.render.thresholds import STYLE, table

OUTCOMES = ("accepted", "edited", "rejected")


def collect(records: Escalations, now: datetime) -> dict[str, Any]:
    """Open escalations (by reason and each), draft feedback, suggestions, holdout, lift."""
    open_records = records.list_open(limit=10_000, now=now)
    by_reason: dict[str, int] = {}
    for record in open_records:
        by_reason[record["reason"]] = by_reason.get(record["reason"], 0) + 1
    categories = records.feedback("category")
    return {
        "generated_at": now.isoformat(),
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


def _chart(by_reason: dict[str, int]) -> str:
    plt = pyplot()

    fig, axis = plt.subplots(figsize=(7, 0.4 * max(3, len(by_reason)) + 1), dpi=80)
    names = list(by_reason)[::-1]
    axis.barh(names, [by_reason[n] for n in names], color="#c62828")
    axis.set_xlabel("open escalations")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _feedback(title: str, rows: dict[str, dict[str, Any]], id_: str) -> str:
    body = []
    for key, entry in rows.items():
        counts = entry["counts"]
        accepted = counts.get("accepted", 0) + counts.get("edited", 0)
        share = accepted / entry["total"] if entry["total"] else 0.0
        body.append([key, str(entry["total"]), *(str(counts.get(o, 0)) for o in OUTCOMES),
                     f"{share:.0%}", f"{entry['mean_edit_ratio']:.2f}"])
    return table(title, ["", "drafts", *OUTCOMES, "acceptance", "mean edit"], body, id_)


def page(data: dict[str, Any]) -> str:
    """The report as one HTML file: no script, no external resource."""
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
             "<title>Handoff report</title>", f"<style>{STYLE}</style></head><body>",
             "<h1>Handoff report</h1>",
             f"<p>Generated {html.escape(data['generated_at'])}. "
             f"Open escalations: {data['open_escalations']}.</p>"]
    if data["open_by_reason"]:
        parts.append(f'<img id="chart" alt="open escalations by reason" '
                     f'src="data:image/png;base64,{_chart(data["open_by_reason"])}">')
    parts.append(table("Open escalations by reason", ["reason", "open"],
                       [[k, str(v)] for k, v in data["open_by_reason"].items()], "reasons"))
    parts.append(table("Open escalations, oldest first",
                       ["id", "age (h)", "severity", "reason", "ticket", "summary"],
                       [[str(r["id"]), f"{r['age_hours']:.1f}", r["severity"], r["reason"],
                         f"{r['platform']} #{r['ticket_id']}", r["summary"]]
                        for r in data["open"][:500]], "open"))
    parts.append(_feedback("Draft feedback by category (acceptance = accepted or edited)",
                           data["feedback_by_category"], "feedback-category"))
    parts.append(_feedback("Draft feedback by article", data["feedback_by_article"],
                           "feedback-article"))
    hints = data["suggestions"] or ["none: no category has enough one-sided feedback yet"]
    parts.append("<h2>Suggestions</h2><ul>"
                 + "".join(f"<li>{html.escape(h)}</li>" for h in hints) + "</ul>")
    parts.append(table("Holdout (decisions logged without AI action)", ["path", "tickets"],
                       [[k, str(v)] for k, v in sorted(data["holdout"].items())], "holdout"))
    lift_head = ["group", "tickets", "solved", "mean_hours_to_solve", "reopen_rate"]
    parts.append(table("Lift: holdout against AI-handled tickets", lift_head,
                       [[g, *(str(f.get(k, "")) for k in lift_head[1:])]
                        for g, f in data["lift"].items()], "lift"))
    parts.append("</body></html>")
    return "\n".join(parts)


def write(records: Escalations, as_json: bool, html_path: str | None) -> None:
    """Print the JSON (`as_json`) and/or write the HTML file; raises OSError."""
    import json
    from datetime import UTC

    import click

    data = collect(records, datetime.now(UTC))
    if html_path:
        with open(html_path, "w", encoding="utf-8") as handle:
            handle.write(page(data))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
