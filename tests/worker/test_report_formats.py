"""``handoff report --json`` and ``--html`` on a decision log with escalations and feedback."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.aftercare import Outcome
from infra.store.decision_log import open_log
from infra.store.escalations import Escalations, NewEscalation
from worker.cli import main

pytestmark = pytest.mark.db


@pytest.fixture
def filled(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    records = Escalations(open_log(database_url).engine)
    now = datetime.now(UTC)
    for n, reason in enumerate(("human_request", "human_request", "high_risk:refund")):
        records.open(NewEscalation(
            decision_id=f"d{n}", platform="zendesk", ticket_id=str(n), reason=reason,
            reasons=(reason,), severity="medium", agent=None, ticket_url=None, customer=None,
            summary=f"ticket <{n}>", status_at_open="open"), now)
    for n in range(6):
        records.record_draft(f"b{n}", "zendesk", f"b{n}", "refunds", "BILLING", "draft", now)
        records.judge(f"b{n}", Outcome.REJECTED, 0.9, now)
    monkeypatch.setenv("DATABASE_URL", database_url)


@pytest.mark.usefixtures("filled")
def test_report_json_has_the_terminal_figures() -> None:
    result = CliRunner().invoke(main, ["report", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["open_escalations"] == 3
    assert data["open_by_reason"] == {"human_request": 2, "high_risk:refund": 1}
    assert data["feedback_by_category"]["BILLING"]["counts"] == {"rejected": 6}
    assert any(s.startswith("BILLING: 6/6 drafts rejected") for s in data["suggestions"])
    assert set(data["lift"]) == {"holdout", "ai"}


@pytest.mark.usefixtures("filled")
def test_report_html_is_one_escaped_file_and_the_terminal_report_still_prints(
    tmp_path: Path,
) -> None:
    page = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert "escalation rate" in result.output
    text = page.read_text()
    assert 'id="chart" alt="open escalations by reason" src="data:image/png;base64,' in text
    assert "<style>:root" in text  # the admin page's stylesheet, inline
    assert "Refund request" in text  # reasons in words
    # An empty table says so instead of showing its headers alone.
    assert '<section id="feedback-article">' in text
    assert "No holdout decisions." in text
    assert "ticket &lt;1&gt;" in text
    assert "<script" not in text
    for table in ("reasons", "open", "feedback-category", "holdout", "lift"):
        assert f'id="{table}"' in text


def test_a_count_chart_has_whole_numbers_on_its_axis() -> None:
    from matplotlib import pyplot as plt

    from worker.cli.render.formats import count_figure

    fig = count_figure({"human_request": 2, "high_risk:refund": 1}, "open escalations")
    try:
        fig.canvas.draw()
        ticks = fig.axes[0].get_xticks()
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    finally:
        plt.close(fig)
    assert len(ticks) >= 2
    assert all(float(t).is_integer() for t in ticks)
    assert labels == ["Refund request", "Asked for a person"]
