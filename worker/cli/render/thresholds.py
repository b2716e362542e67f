"""Render a threshold sweep (`worker.cli.thresholds.evaluate`): a rich table for the terminal, and a
single self-contained HTML file drawn with the admin site's templates and stylesheet
(`infra.pages`), matplotlib charts embedded as PNG; both say when the advice is weak
(`weak_advice`).

Nothing here runs the engine; every function takes the JSON-safe report dict.
"""

from __future__ import annotations

import io
import math
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
    for warning in weak_advice(report):
        console.print(f"[yellow]warning:[/] {warning}")


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


def weak_advice(report: dict[str, Any]) -> list[str]:
    """Why the recommendation may not hold, one sentence each (empty: no reason found):
    too few labelled auto-resolutions to measure the wrong-answer target, a category
    over that target while the total is under it, examples from one category only."""
    warnings: list[str] = []
    at, target = report["at"], report["target"] or {}
    wanted = target.get("max_wrong")
    if report["recommended"] is not None and wanted is not None:
        # About three wrong answers must be expected before a rate can be told from zero.
        needed = max(100, math.ceil(3 / wanted)) if wanted > 0 else 300
        measured = at.get("labelled", 0)
        if measured < needed:
            warnings.append(
                f"Small sample: {measured} labelled ticket(s) back this recommendation; telling "
                f"a {pct(wanted)} wrong-answer rate from zero needs about {needed}. Treat the "
                "threshold as a starting point and sweep again on more history.")
    elif report["tickets"] < 100:
        warnings.append(f"Small sample: {report['tickets']} ticket(s); rates this small move "
                        "a lot with one ticket.")
    total = at.get("wrong_rate")
    if wanted is not None and total is not None and total <= wanted:
        for name, figures in sorted(report["categories"].items()):
            rate = figures.get("wrong_rate")
            if rate is not None and rate > wanted:
                warnings.append(
                    f"{name} is at {pct(rate)} wrong answers, over the {pct(wanted)} target, "
                    f"though the total ({pct(total)}) is under it: give {name} its own "
                    "threshold (policy.categories) or keep it from auto-resolving.")
    shown = {e["category"] for items in report["examples"].values() for e in items}
    if len(shown) == 1 and len(report["categories"]) > 1:
        warnings.append(f"Every example is from one category ({shown.pop() or 'none'}): they "
                        "say little about the others.")
    return warnings


def _category_row(name: str, f: dict[str, Any]) -> list[str]:
    return [name, str(f["tickets"]), *(pct(f[f"{p}_share"]) for p in PATHS),
            pct(f["wrong_rate"]), str(f["safety_violations"])]


def page(report: dict[str, Any]) -> str:
    """The whole HTML report: one file, no external resources, no script."""
    from core.labels import reason_label
    from infra.pages import png, render

    examples = [(path, [[e["id"], e["category"], f"{e['confidence']:.2f}",
                         ", ".join(reason_label(r) for r in e["reasons"]), e["text"]]
                        for e in items])
                for path, items in report["examples"].items()]
    return render(
        "sweep.html", report=report, recommendation=recommendation(report),
        warnings=weak_advice(report), chart=png(chart_png(report)), pair=_pair(report["at"]),
        category_head=["Category", "Tickets", "Auto", "Draft", "Escalate", "Skip", "Wrong",
                       "Violations"],
        category_rows=[_category_row("all", report["at"]),
                       *(_category_row(c, f) for c, f in sorted(report["categories"].items()))],
        reason_rows=[[reason_label(k), str(v)] for k, v in report["escalation_reasons"].items()],
        examples=examples,
        malformed_rows=[[str(m["line"]), m["error"]] for m in report["malformed"][:100]])
