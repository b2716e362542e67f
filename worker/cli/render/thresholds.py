"""Render a threshold sweep (`worker.cli.thresholds.evaluate`): a rich table for the terminal, and a
single self-contained HTML file with matplotlib charts embedded as PNG.

Nothing here runs the engine; every function takes the JSON-safe report dict.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from rich.console import Console
from rich.table import Table

from worker.cli.render.charts import pyplot

PATHS = ("auto_resolve", "draft", "escalate", "skip")


def pct(value: float | None) -> str:
    """`0.0123` as ``1.2%``; None as ``-``."""
    return "-" if value is None else f"{value:.1%}"


def _pair(figures: dict[str, Any]) -> str:
    return f"{figures['auto_resolve_threshold']:g} / {figures['draft_threshold']:g}"


def _category_table(report: dict[str, Any]) -> Table:
    table = Table(title=f"per category at auto / draft = {_pair(report['at'])}")
    for name in ("category", "tickets", "auto", "draft", "escalate", "skip", "wrong",
                 "violations"):
        table.add_column(name, justify="left" if name == "category" else "right",
                         no_wrap=name == "category")
    rows = [("all", report["at"]), *sorted(report["categories"].items())]
    for name, f in rows:
        table.add_row(name, str(f["tickets"]), *(pct(f[f"{p}_share"]) for p in PATHS),
                      pct(f["wrong_rate"]), str(f["safety_violations"]))
    return table


def _curve_table(report: dict[str, Any], every: int = 5) -> Table:
    table = Table(title="auto-resolve threshold (draft threshold fixed at the configured value)")
    for name in ("auto / draft", "auto", "draft", "escalate", "wrong", "violations",
                 "resolved"):
        table.add_column(name, justify="right")
    chosen = (report["recommended"] or {}).get("auto_resolve_threshold")
    for i, f in enumerate(report["curve"]):
        if i % every and f["auto_resolve_threshold"] != chosen and i != len(report["curve"]) - 1:
            continue
        style = "bold green" if f["auto_resolve_threshold"] == chosen else None
        table.add_row(_pair(f), pct(f["auto_resolve_share"]), pct(f["draft_share"]),
                      pct(f["escalate_share"]), pct(f["wrong_rate"]),
                      str(f["safety_violations"]), pct(f["resolution_rate"]), style=style)
    return table


def terminal(report: dict[str, Any], console: Console) -> None:
    """Print the summary: totals, malformed lines, curve, categories, reasons, recommendation."""
    console.print(f"[bold]{report['tickets']}[/] tickets from {report['file']} "
                  f"in {report['seconds']} s (engine run once per ticket)")
    forced = ", ".join(f"{k}: {v}" for k, v in sorted(report["forced"].items()))
    console.print(f"threshold-independent outcomes: {forced}")
    if report["malformed"]:
        console.print(f"[yellow]{len(report['malformed'])} malformed line(s) skipped[/]")
    console.print(_curve_table(report))
    console.print(_category_table(report))
    reasons = Table(title=f"escalation reasons at {_pair(report['at'])} (primary reason)")
    reasons.add_column("reason")
    reasons.add_column("tickets", justify="right")
    for code, count in report["escalation_reasons"].items():
        reasons.add_row(code, str(count))
    console.print(reasons)
    console.print(recommendation(report))


def recommendation(report: dict[str, Any]) -> str:
    """One line: the recommended pair for the stated target, or why there is none."""
    target = report["target"]
    if not target:
        return "no target given: add --max-wrong 1% or --min-auto 60% for a recommendation"
    said = ", ".join(f"{k.replace('_', '-')} {pct(v)}" for k, v in target.items())
    best = report["recommended"]
    if best is None:
        return f"no threshold pair on the grid meets {said}"
    return (f"recommended for {said}: auto_resolve_threshold {best['auto_resolve_threshold']:g}, "
            f"draft_threshold {best['draft_threshold']:g} (auto {pct(best['auto_resolve_share'])}, "
            f"wrong {pct(best['wrong_rate'])}, safety violations {best['safety_violations']})")


def chart_png(report: dict[str, Any]) -> bytes:
    """The split and the wrong-answer curve against the auto-resolve threshold, as PNG."""
    plt = pyplot()

    curve = report["curve"]
    xs = [f["auto_resolve_threshold"] for f in curve]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.4), sharex=True,
                                      height_ratios=(3, 2), dpi=80)
    shares = [[f[f"{p}_share"] or 0 for f in curve] for p in PATHS]
    colors = ("#2e7d32", "#f9a825", "#c62828", "#9e9e9e")
    labels = ("auto-resolve", "draft", "escalate", "skip")
    top.stackplot(xs, *shares, labels=labels, colors=colors, alpha=0.85)
    top.set_ylabel("share of tickets")
    top.set_ylim(0, 1)
    top.legend(loc="upper right", fontsize=8)
    top.set_title(f"draft threshold {report['configured']['draft_threshold']:g}")
    wrong = [f["wrong_rate"] for f in curve]
    bottom.plot(xs, [w if w is not None else float("nan") for w in wrong], color="#c62828",
                label="wrong answers among auto-resolutions")
    bottom.plot(xs, [f["resolution_rate"] if f["resolution_rate"] is not None else float("nan")
                     for f in curve], color="#2e7d32", label="predicted resolution rate")
    bottom.set_xlabel("auto-resolve threshold")
    bottom.set_ylabel("rate (labelled tickets)")
    bottom.legend(loc="upper right", fontsize=8)
    best = report["recommended"]
    if best is not None:
        for axis in (top, bottom):
            axis.axvline(best["auto_resolve_threshold"], color="black", linestyle="--",
                         linewidth=1)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#222}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}td,th{border:1px solid #ccc;
padding:0.25rem 0.5rem;text-align:right}td.l,th.l{text-align:left}
caption{font-weight:bold;text-align:left}.text{max-width:40rem}"""


TEXT_COLUMNS = ("category", "reason", "reasons", "severity", "ticket", "summary", "text",
                "error", "path", "group")


def table(caption: str, head: list[str], rows: list[list[str]], id_: str) -> str:
    """An escaped HTML table; the first column and the text columns align left."""
    cls = ['class="l"' if i == 0 or h in TEXT_COLUMNS else "" for i, h in enumerate(head)]
    out = [f'<table id="{id_}"><caption>{html.escape(caption)}</caption><tr>']
    out += [f"<th {c}>{html.escape(h)}</th>" for c, h in zip(cls, head, strict=True)]
    out.append("</tr>")
    for row in rows:
        out.append("<tr>" + "".join(
            f"<td {c}>{html.escape(v)}</td>" for c, v in zip(cls, row, strict=True)) + "</tr>")
    out.append("</table>")
    return "".join(out)


def page(report: dict[str, Any]) -> str:
    """The whole HTML report: one file, no external resources, no script."""
    png = base64.b64encode(chart_png(report)).decode("ascii")
    at = report["at"]
    cats = [["all", str(at["tickets"]), *(pct(at[f"{p}_share"]) for p in PATHS),
             pct(at["wrong_rate"]), str(at["safety_violations"])]]
    cats += [[c, str(f["tickets"]), *(pct(f[f"{p}_share"]) for p in PATHS),
              pct(f["wrong_rate"]), str(f["safety_violations"])]
             for c, f in sorted(report["categories"].items())]
    head = ["category", "tickets", "auto", "draft", "escalate", "skip", "wrong", "violations"]
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<title>Handoff threshold sweep</title>", f"<style>{STYLE}</style></head><body>",
        "<h1>Handoff threshold sweep</h1>",
        f"<p>{report['tickets']} tickets from {html.escape(report['file'])}; "
        f"{len(report['malformed'])} malformed line(s) skipped.</p>",
        f"<p><strong>{html.escape(recommendation(report))}</strong></p>",
        f'<img id="chart" alt="auto, draft and escalate split and wrong-answer rate against '
        f'the auto-resolve threshold" src="data:image/png;base64,{png}">',
        table(f"Per category at auto / draft = {_pair(at)}", head, cats, "categories"),
        table("Escalation reasons (primary reason)", ["reason", "tickets"],
               [[k, str(v)] for k, v in report["escalation_reasons"].items()], "reasons"),
    ]
    for path, items in report["examples"].items():
        if not items:
            continue
        rows = [[e["id"], e["category"], f"{e['confidence']:.2f}", ", ".join(e["reasons"]),
                 e["text"]] for e in items]
        parts.append(table(f"Examples: {path} ({len(items)})",
                            ["ticket", "category", "confidence", "reasons", "text"],
                            rows, f"examples-{path}"))
    if report["malformed"]:
        parts.append(table("Malformed lines (skipped)", ["line", "error"],
                            [[str(m["line"]), m["error"]] for m in report["malformed"][:100]],
                            "malformed"))
    parts.append("</body></html>")
    return "\n".join(parts)
