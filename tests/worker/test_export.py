"""``handoff export`` against the export_sandbox over real HTTP: pages, resume, labels, faults."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.errors import ConfigError, TransientError
from tests.connectors.support import Waits
from tests.worker.support import PLATFORMS, SINCE, Sandbox, rows, seven
from worker.cli.exporter import checkpoint_path, export

# The listing route of each platform, as a fault path (matched against the URL path).
LISTING = {"zendesk": r"/incremental/tickets/cursor", "freshdesk": r"/freshdesk/api/v2/tickets$",
           "gorgias": r"/gorgias/api/tickets$"}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_ticket_over_three_pages_once(
    export_sandbox: Sandbox, platform: str, tmp_path: Path
) -> None:
    made = seven(export_sandbox, platform)
    out = tmp_path / "tickets.jsonl"

    result = export(export_sandbox.connector(platform), SINCE, out, page_size=3)

    ids = [row["id"] for row in rows(out)]
    assert sorted(ids) == sorted(made.values())
    assert (result.written, result.total, result.complete) == (7, 7, True)
    route = {"zendesk": "GET /incremental/tickets/cursor", "freshdesk": "GET /tickets",
             "gorgias": "GET /tickets"}[platform]
    assert export_sandbox.calls(platform, route) == 3
    # Zendesk's listing sideloads the metric sets: the history costs no call of its own.
    assert export_sandbox.calls(platform, "GET /tickets/<ticket_id>/metrics") == 0
    assert json.loads(checkpoint_path(out).read_text())["complete"] is True


@pytest.mark.parametrize("platform", PLATFORMS)
def test_labels_come_from_the_history_the_helpdesk_keeps(
    export_sandbox: Sandbox, platform: str, tmp_path: Path
) -> None:
    made = seven(export_sandbox, platform)
    out = tmp_path / "tickets.jsonl"
    export(export_sandbox.connector(platform), SINCE, out, page_size=3)
    labels = {row["id"]: row["labels"] for row in rows(out)}
    ai, agent = labels[made["ai_solved"]], labels[made["agent_solved"]]

    assert ai["history"]["solved_by"] == "ai"
    assert ai["history"]["solved_without_human"] is True
    assert ai["history"]["csat"] == {"score": "good", "raw": {
        "zendesk": "good", "freshdesk": "103", "gorgias": "5"}[platform], "comment": "Quick!"}
    assert ai["expect_path"] == "auto_resolve"
    assert agent["history"]["solved_by"] == "agent"
    assert agent["history"]["solved_without_human"] is False
    assert "expect_path" not in agent
    assert labels[made["ai_rated_bad"]]["expect_path"] == "draft"
    assert labels[made["ai_rated_bad"]]["history"]["csat"]["score"] == "bad"
    assert labels[made["open_1"]]["history"]["solved"] is False
    reopened = labels[made["ai_reopened"]]["history"]["reopened"]
    moved = labels[made["moved"]]
    if platform == "zendesk":
        assert reopened == 1
        assert (moved["history"]["reassigned"], moved["history"]["regrouped"]) == (2, 0)
        assert moved["history"]["escalated"] is False
    if platform == "freshdesk":
        assert reopened == 1
        assert moved["history"]["reassigned"] is None  # Freshdesk keeps no such log
    if platform == "gorgias":
        assert reopened is None
        assert labels[made["ai_solved"]]["history"]["reopened"] is None


def test_a_ticket_moved_to_another_group_is_labelled_escalate(
    export_sandbox: Sandbox, tmp_path: Path
) -> None:
    moved = export_sandbox.create("zendesk", ["agent"], "solved", {"regroupings": 2})
    out = tmp_path / "tickets.jsonl"
    export(export_sandbox.connector("zendesk"), SINCE, out)

    (row,) = rows(out)
    assert row["id"] == moved
    assert row["labels"]["history"]["regrouped"] == 2
    assert row["labels"]["history"]["escalated"] is True
    assert row["labels"]["expect_path"] == "escalate"


def stop_after_two_pages(export_sandbox: Sandbox, platform: str, out: Path) -> None:
    """Export three-ticket pages until page 3, which fails on every try."""
    export_sandbox.fault(method="GET", path=LISTING[platform], status=503, times=None, skip=2)
    with pytest.raises(TransientError):
        export(export_sandbox.connector(platform), SINCE, out, page_size=3)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_interrupted_export_resumes_with_no_duplicate_and_no_gap(
    export_sandbox: Sandbox, platform: str, tmp_path: Path
) -> None:
    made = seven(export_sandbox, platform)
    out = tmp_path / "tickets.jsonl"
    stop_after_two_pages(export_sandbox, platform, out)

    assert len(rows(out)) == 6
    assert json.loads(checkpoint_path(out).read_text())["complete"] is False
    # A crash in the middle of a write leaves half a line behind.
    with open(out, "a", encoding="utf-8") as handle:
        handle.write('{"id": "half-writ')
    assert export_sandbox.http.delete("/sandbox/faults").status_code == 200

    result = export(export_sandbox.connector(platform), SINCE, out, page_size=3)

    ids = [row["id"] for row in rows(out)]
    assert sorted(ids) == sorted(made.values())
    assert len(ids) == len(set(ids)) == 7
    assert (result.written, result.dropped_partial, result.complete) == (1, True, True)


def test_a_ticket_that_fails_mid_page_is_fetched_on_resume(
    export_sandbox: Sandbox, tmp_path: Path
) -> None:
    made = seven(export_sandbox, "zendesk")
    out = tmp_path / "tickets.jsonl"
    broken = made["ai_rated_bad"]  # the second ticket of the second page
    export_sandbox.fault(method="GET", path=rf"/tickets/{broken}\b", status=500, times=None)

    with pytest.raises(TransientError):
        export(export_sandbox.connector("zendesk"), SINCE, out, page_size=3)
    assert [row["id"] for row in rows(out)] == list(made.values())[:4]

    assert export_sandbox.http.delete("/sandbox/faults").status_code == 200
    export(export_sandbox.connector("zendesk"), SINCE, out, page_size=3)
    assert [row["id"] for row in rows(out)] == list(made.values())


@pytest.mark.parametrize("platform", ["zendesk", "gorgias"])
def test_rate_limits_and_server_errors_are_waited_out(
    export_sandbox: Sandbox, platform: str, tmp_path: Path
) -> None:
    made = seven(export_sandbox, platform)
    out = tmp_path / "tickets.jsonl"
    connector = export_sandbox.connector(platform)
    export_sandbox.fault(method="GET", path=LISTING[platform], status=429, retry_after=3, times=2)
    export_sandbox.fault(method="GET", path=r"/tickets/\d+(/audits)?(\.json)?$", status=502,
                         times=2, every=3)

    result = export(connector, SINCE, out, page_size=3)

    assert sorted(row["id"] for row in rows(out)) == sorted(made.values())
    assert result.complete
    assert export_sandbox.waits.count(3.0) == 2  # each 429's Retry-After, honoured
    assert len(export_sandbox.waits) == 4  # and a backoff for each 502
    assert export_sandbox.http.get("/sandbox/faults").json() == []  # every fault was used up


def test_limit_stops_early_and_a_rerun_carries_on(export_sandbox: Sandbox, tmp_path: Path) -> None:
    made = seven(export_sandbox, "freshdesk")
    out = tmp_path / "tickets.jsonl"

    first = export(export_sandbox.connector("freshdesk"), SINCE, out, limit=4, page_size=3)
    assert (first.written, first.complete) == (4, False)
    assert len(rows(out)) == 4
    again = export(export_sandbox.connector("freshdesk"), SINCE, out, limit=4, page_size=3)
    assert again.written == 0

    rest = export(export_sandbox.connector("freshdesk"), SINCE, out, page_size=3)
    assert (rest.written, rest.complete) == (3, True)
    assert sorted(row["id"] for row in rows(out)) == sorted(made.values())


def test_since_leaves_older_tickets_out(export_sandbox: Sandbox, tmp_path: Path) -> None:
    export_sandbox.create("gorgias", [])
    out = tmp_path / "tickets.jsonl"

    result = export(export_sandbox.connector("gorgias"), datetime(2999, 1, 1, tzinfo=UTC), out)

    assert (result.written, result.complete) == (0, True)
    assert out.read_text() == ""


def test_another_exports_file_is_never_overwritten(export_sandbox: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "tickets.jsonl"
    out.write_text('{"id": "mine"}\n')
    with pytest.raises(ConfigError, match="no checkpoint"):
        export(export_sandbox.connector("zendesk"), SINCE, out)
    assert out.read_text() == '{"id": "mine"}\n'

    other = tmp_path / "other.jsonl"
    export(export_sandbox.connector("zendesk"), SINCE, other)
    with pytest.raises(ConfigError, match="belongs to an export of zendesk"):
        export(export_sandbox.connector("freshdesk"), SINCE, other)


@pytest.mark.parametrize("platform", ["zendesk", "gorgias"])
def test_a_cursor_the_helpdesk_refuses_starts_the_listing_over(
    export_sandbox: Sandbox, platform: str, tmp_path: Path
) -> None:
    made = seven(export_sandbox, platform)
    out = tmp_path / "tickets.jsonl"
    stop_after_two_pages(export_sandbox, platform, out)
    assert export_sandbox.http.delete("/sandbox/faults").status_code == 200
    marker = checkpoint_path(out)
    saved = json.loads(marker.read_text())
    marker.write_text(json.dumps({**saved, "cursor": "expired-long-ago"}))

    result = export(export_sandbox.connector(platform), SINCE, out, page_size=3)

    ids = [row["id"] for row in rows(out)]
    assert sorted(ids) == sorted(made.values())
    assert (result.written, result.complete) == (1, True)


def test_a_rate_limit_longer_than_a_call_may_wait_is_waited_out(
    export_sandbox: Sandbox, tmp_path: Path
) -> None:
    made = seven(export_sandbox, "zendesk")
    out = tmp_path / "tickets.jsonl"
    # Beyond the connector's 30 s wait budget: the call gives up at once, the export waits.
    export_sandbox.fault(method="GET", path=LISTING["zendesk"], status=429, retry_after=120,
                         times=1, skip=1)
    waited = Waits()

    result = export(export_sandbox.connector("zendesk"), SINCE, out, page_size=3, sleep=waited)

    assert waited == [120.0]
    assert export_sandbox.waits == []
    assert sorted(row["id"] for row in rows(out)) == sorted(made.values())
    assert result.complete


class Recorder:
    def __init__(self) -> None:
        self.started: list[tuple[int, int | None]] = []
        self.advanced = 0

    def start(self, done: int, total: int | None) -> None:
        self.started.append((done, total))

    def advance(self) -> None:
        self.advanced += 1


@pytest.mark.parametrize(("platform", "total"), [("zendesk", 7), ("freshdesk", 7),
                                                 ("gorgias", None)])
def test_progress_has_a_total_where_the_helpdesk_counts(
    export_sandbox: Sandbox, platform: str, total: int | None, tmp_path: Path
) -> None:
    seven(export_sandbox, platform)
    progress = Recorder()

    export(export_sandbox.connector(platform), SINCE, tmp_path / "t.jsonl", page_size=3,
           progress=progress)

    assert progress.started == [(0, total)]
    assert progress.advanced == 7


def test_the_total_is_the_limit_when_smaller_and_the_count_is_optional(
    export_sandbox: Sandbox, tmp_path: Path
) -> None:
    seven(export_sandbox, "zendesk")
    out = tmp_path / "t.jsonl"
    first, second = Recorder(), Recorder()
    export(export_sandbox.connector("zendesk"), SINCE, out, limit=4, progress=first)
    export_sandbox.fault(method="GET", path="/search/count", status=500, times=None)

    result = export(export_sandbox.connector("zendesk"), SINCE, out, progress=second)

    assert first.started == [(0, 4)]
    assert second.started == [(4, None)]  # the count failed: only the ETA is lost
    assert (second.advanced, result.complete) == (3, True)


def test_zendesk_history_outside_a_listing_reads_the_metrics(export_sandbox: Sandbox) -> None:
    ticket_id = export_sandbox.create("zendesk", ["ai"], "solved",
                                      {"reopens": 2, "satisfaction": {"score": "bad"}})

    history = export_sandbox.connector("zendesk").export.ticket_history(ticket_id)

    assert (history.reopened, history.reassigned, history.regrouped) == (2, 0, 0)
    assert history.satisfaction is not None
    assert history.satisfaction.score == "bad"
    assert export_sandbox.calls("zendesk", "GET /tickets/<ticket_id>/metrics") == 1
