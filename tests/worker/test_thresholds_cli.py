"""``handoff simulate --sweep`` on the repository's samples: JSON, bad input, the HTML report.

The browser test needs Debian's ``chromium`` and ``chromium-driver`` and ``selenium``;
without them it is skipped with the reason (CI installs them in ``.ci/run``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.e2e.admin_site import NEEDS_CHROMIUM, chrome
from tests.worker.support import SAMPLES_FILE, engine_config
from worker.cli import main


def sweep(tmp_path: Path, tickets: Path, *extra: str) -> Any:
    return CliRunner().invoke(main, ["simulate", str(tickets), "--sweep", "--quiet",
                                     "--config", str(engine_config(tmp_path)), *extra])


def test_sweep_json_reports_grid_split_and_recommendation(tmp_path: Path) -> None:
    result = sweep(tmp_path, SAMPLES_FILE, "--json", "--max-wrong", "0%")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["tickets"] == 16
    assert report["malformed"] == []
    assert len({r["auto_resolve_threshold"] for r in report["grid"]}) == 50
    best = report["recommended"]
    assert best["wrong_rate"] == 0.0
    assert best["safety_violations"] == 0
    at = report["at"]
    assert at["auto_resolve_threshold"] == best["auto_resolve_threshold"]
    assert sum(at[p] for p in ("auto_resolve", "draft", "escalate", "skip")) == 16
    assert report["escalation_reasons"]["human_request"] == 2
    assert sum(f["tickets"] for f in report["categories"].values()) == 16
    assert all(len(v) <= 20 for v in report["examples"].values())
    assert report["examples"]["escalate"][0]["text"]


def test_sweep_writes_one_outcome_per_ticket_with_out(tmp_path: Path) -> None:
    out = tmp_path / "outcomes.jsonl"
    result = sweep(tmp_path, SAMPLES_FILE, "--out", str(out), "--min-auto", "20%")
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 16
    assert {"id", "kind", "confidence", "category", "reasons", "signals"} <= set(lines[0])
    assert "recommended for min-auto 20.0%" in result.output


def test_malformed_lines_are_reported_skipped_and_counted(tmp_path: Path) -> None:
    good = SAMPLES_FILE.read_text().splitlines()
    bad = tmp_path / "tickets.jsonl"
    bad.write_text("\n".join([good[0], "{not json", good[1], '["a list"]',
                              '{"id": "no-messages"}', good[2]]) + "\n")
    result = sweep(tmp_path, bad, "--json")
    assert result.exit_code == 0, result.output
    assert "tickets.jsonl:2: skipped: not JSON" in result.stderr
    assert "tickets.jsonl:4: skipped: not a JSON object" in result.stderr
    assert "tickets.jsonl:5: skipped: not a canonical ticket" in result.stderr
    report = json.loads(result.stdout)
    assert report["tickets"] == 3
    assert [m["line"] for m in report["malformed"]] == [2, 4, 5]


def test_an_empty_file_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    result = sweep(tmp_path, empty)
    assert result.exit_code == 2
    assert "no tickets (the file is empty)" in result.stderr


def test_a_bad_target_is_a_usage_error(tmp_path: Path) -> None:
    result = sweep(tmp_path, SAMPLES_FILE, "--max-wrong", "150%")
    assert result.exit_code == 2
    assert "Invalid value for '--max-wrong': '150%' is not a share" in result.stderr


def test_simulate_without_sweep_still_needs_out(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", str(SAMPLES_FILE)])
    assert result.exit_code == 2
    assert "--out is required" in result.output


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    page = tmp_path / "report.html"
    result = sweep(tmp_path, SAMPLES_FILE, "--html", str(page), "--max-wrong", "1%")
    assert result.exit_code == 0, result.output
    return page


def test_html_report_is_one_self_contained_file(report_file: Path) -> None:
    text = report_file.read_text()
    assert 'src="data:image/png;base64,' in text
    assert "<script" not in text
    assert "http://" not in text
    assert "https://" not in text
    for table in ("categories", "reasons", "examples-escalate", "examples-auto_resolve"):
        assert f'id="{table}"' in text
    assert "<style>:root" in text  # the admin page's stylesheet, inline
    # 16 sample tickets cannot back a 1% wrong-answer target: the page says so.
    assert "Small sample: " in text
    assert "needs about 300" in text


def _report(categories: dict[str, float | None], wrong: float | None,
            example_categories: tuple[str, ...]) -> dict[str, Any]:
    return {"tickets": 5000, "recommended": {"auto_resolve_threshold": 0.9},
            "target": {"max_wrong": 0.01},
            "at": {"labelled": 5000, "wrong_rate": wrong},
            "categories": {name: {"wrong_rate": rate} for name, rate in categories.items()},
            "examples": {"auto_resolve": [{"category": c} for c in example_categories]}}


def test_the_sweep_warns_of_a_category_over_target_while_the_total_is_under() -> None:
    from worker.cli.render.thresholds import weak_advice

    warnings = weak_advice(_report({"INVOICE": 0.063, "ORDERS": 0.004}, 0.009,
                                   ("INVOICE", "ORDERS")))
    assert warnings == [
        "INVOICE is at 6.3% wrong answers, over the 1.0% target, though the total (0.9%) is "
        "under it: give INVOICE its own threshold (policy.categories) or keep it from "
        "auto-resolving."]
    assert weak_advice(_report({"INVOICE": 0.063}, 0.02, ("INVOICE", "ORDERS"))) == []


def test_the_sweep_warns_when_every_example_is_from_one_category() -> None:
    from worker.cli.render.thresholds import weak_advice

    [warning] = weak_advice(_report({"ORDERS": 0.0, "INVOICE": 0.0}, 0.0, ("ORDERS",) * 3))
    assert warning.startswith("Every example is from one category (ORDERS)")


@NEEDS_CHROMIUM
def test_html_report_opens_in_headless_chromium(report_file: Path) -> None:
    pytest.importorskip("selenium.webdriver", reason="needs selenium (pip)")
    with chrome(1366, 900) as driver:
        driver.get(report_file.as_uri())
        chart = driver.find_element("id", "chart")
        assert driver.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth", chart) > 100
        rows = driver.find_elements("css selector", "#categories tr")
        assert len(rows) > 2
        assert driver.find_elements("css selector", "#examples-escalate tr")
        assert "recommended for max-wrong 1.0%" in driver.find_element("tag name", "body").text
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
