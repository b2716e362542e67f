"""``handoff learn`` on a small history written for the test (the sample knowledge base)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from connectors.registry import build_connectors
from connectors.sandbox import BackgroundServer, create_app
from core.learned_scorer import LearnedScorer
from infra.config import load_settings
from worker.cli import main
from worker.scoring import build_hybrid, build_scorer, gather_knowledge

ROOT = Path(__file__).resolve().parents[2]
TRACK = ("Hello Anna,\n\nYou can follow your order at any time: sign in and open Account, "
         "Orders, select the order to see its status and the carrier's tracking number, then "
         "click Track parcel for the live tracking page. We email the tracking link once the "
         "parcel leaves our warehouse.\n\nKind regards,\nTom\n+1 800 555 0199")
TRACK_HTML = ("<p>Hi there,</p><ol><li>Sign in and open <b>Account &rarr; Orders</b>.</li>"
              "<li>Select the order to see its status and the carrier&#39;s tracking number."
              "</li><li>Click <b>Track parcel</b> to open the live tracking page.</li></ol>"
              "<p>Best regards,<br>Sam</p>")
PASSWORD = ("Hi,\n\nTo set a new password go to the login page and click Forgot password, "
            "enter the email address on your account, open the email we send and click Reset "
            "password; the link works for one hour. Choose a new password of at least ten "
            "characters, and check your spam folder if the email does not arrive.\n\nThanks,\nLee")
MUSIC = ("Thanks for telling us. I have passed your remarks about the background music in our "
         "physical store to the store manager, who will look into the volume this week.")
SIGNATURE = "Hello Maria,\n\nBest regards,\nTom\nNorthwind Goods Support"


def row(tid: str, question: str, reply: str) -> dict[str, Any]:
    return {"id": tid, "subject": "", "requester": {"id": "c1"}, "status": "solved",
            "messages": [
                {"author": "customer", "body": question, "public": True,
                 "created_at": "2026-01-05T10:00:00Z"},
                {"author": "agent", "body": reply, "public": True,
                 "created_at": "2026-01-05T10:20:00Z"}],
            "labels": {"history": {"solved": True, "solved_by": "agent"}}}


ROWS = [
    row("h1", "my parcel still hasn't come, where can I follow it?", TRACK),
    row("h2", "how can i see where the package is right now", TRACK_HTML),
    row("h3", "cant get into my account, lost the password", PASSWORD),
    row("h4", "the music in your shop is far too loud", MUSIC),
    row("h5", "where is my order??", SIGNATURE),
]


def setup(tmp_path: Path, rows: list[Any], extra: str = "") -> tuple[Path, Path]:
    config = tmp_path / "handoff.yaml"
    config.write_text(f"knowledge_dir: {ROOT / 'config' / 'knowledge'}\n"
                      f"index_dir: {tmp_path / 'index'}\n", encoding="utf-8")
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(r) + "\n" for r in rows) + extra, encoding="utf-8")
    return config, history


def learn(config: Path, history: Path) -> Any:
    return CliRunner().invoke(main, ["learn", str(history), "--config", str(config), "--quiet"])


def test_learn_matches_abstains_ignores_and_reports_lines(tmp_path: Path) -> None:
    config, history = setup(tmp_path, ROWS, extra="{not json\n")
    result = learn(config, history)
    assert result.exit_code == 0, result.output
    tickets = json.loads((tmp_path / "index" / "learned.json").read_text())["tickets"]
    assert tickets["h1"]["article"] == "track_order"
    assert tickets["h2"]["article"] == "track_order"  # the HTML reply
    assert tickets["h3"]["article"] == "reset_password"
    assert tickets["h4"]["article"] is None  # no article says this: abstained
    assert "h5" not in tickets  # signature only: nothing to match
    assert "unusable lines: 2: 5 (the agent's reply is only a greeting or a signature), " \
        "6 (not JSON)" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("track_order"))
    assert line.split()[1:3] == ["2", "2"]  # matched, examples added


def test_second_run_changes_nothing_and_a_longer_history_adds(tmp_path: Path) -> None:
    config, history = setup(tmp_path, ROWS)
    assert learn(config, history).exit_code == 0
    saved = tmp_path / "index" / "learned.json"
    before = saved.read_bytes()
    again = learn(config, history)
    assert again.exit_code == 0
    assert "nothing new" in again.output
    assert saved.read_bytes() == before
    setup(tmp_path, [*ROWS, row("h6", "forgot my password, how do I get back in?", PASSWORD)])
    more = learn(config, history)
    assert "new tickets: 1; already learned: 4" in more.output
    after = json.loads(saved.read_text())["tickets"]
    assert after["h6"]["article"] == "reset_password"
    assert {k: v for k, v in after.items() if k != "h6"} == \
        json.loads(before)["tickets"]


def test_the_scorer_uses_what_was_learned_without_a_flag(tmp_path: Path) -> None:
    config, history = setup(tmp_path, ROWS)
    assert learn(config, history).exit_code == 0
    scorer = build_hybrid(load_settings(str(config)))
    assert isinstance(scorer, LearnedScorer)
    track = next(d for d in scorer.docs if d.id == "track_order")
    assert "how can i see where the package is right now" in track.examples
    kb = tmp_path / "other-kb"  # another knowledge base: the learned index is ignored
    kb.mkdir()
    (kb / "track_order.md").write_text(
        (ROOT / "config" / "knowledge" / "track_order.md").read_text(encoding="utf-8"),
        encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(config.read_text().replace(str(ROOT / "config" / "knowledge"), str(kb)),
                     encoding="utf-8")
    assert not isinstance(build_hybrid(load_settings(str(other))), LearnedScorer)


def test_with_helpdesk_knowledge_the_worker_finds_what_learn_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(webhook_url=None, zendesk_email="ai@sandbox.test", zendesk_api_token="t",
                     zendesk_signing_secret="s")
    with BackgroundServer(app) as server:
        httpx.post(f"{server.url}/zendesk/api/v2/help_center/sections/1/articles.json",
                   auth=("ai@sandbox.test/token", "t"), json={"article": {
                       "title": "Gift wrapping", "body": "<p>Tick Gift wrap at checkout.</p>"}}
                   ).raise_for_status()
        config, history = setup(tmp_path, ROWS)
        config.write_text(config.read_text() + "knowledge_from_helpdesk: true\nplatforms:\n"
                          f"  zendesk:\n    base_url: {server.url}/zendesk/api/v2\n"
                          "    email: ai@sandbox.test\n", encoding="utf-8")
        monkeypatch.setenv("HANDOFF_ZENDESK_API_TOKEN", "t")
        monkeypatch.setenv("HANDOFF_ZENDESK_SIGNING_SECRET", "s")
        assert learn(config, history).exit_code == 0
        settings = load_settings(str(config))
        # What a worker builds at start (worker.runtime.build_runtime).
        docs = gather_knowledge(settings, build_connectors(settings))
    assert any(d.title == "Gift wrapping" for d in docs)
    assert isinstance(build_scorer(settings, docs), LearnedScorer)


def test_malformed_file_exits_2(tmp_path: Path) -> None:
    config, history = setup(tmp_path, [])
    history.write_text("this is not\njson lines\n", encoding="utf-8")
    result = learn(config, history)
    assert result.exit_code == 2
    assert "no JSON ticket object" in result.output
    history.write_bytes(b"\xff\xfe\x00binary")
    assert learn(config, history).exit_code == 2


def test_gaps_report_html_and_json(tmp_path: Path) -> None:
    music = [row(f"m{n}", q, MUSIC) for n, q in enumerate((
        "the music in your shop is far too loud", "your shop music is far too loud",
        "music in the shop is too loud", "far too loud music in your shop"))]
    config, history = setup(tmp_path, [*ROWS, *music])
    gaps = tmp_path / "gaps.html"
    result = CliRunner().invoke(main, ["learn", str(history), "--config", str(config),
                                       "--quiet", "--gaps", str(gaps)])
    assert result.exit_code == 0, result.output
    data = json.loads(gaps.with_suffix(".json").read_text())["clusters"]
    assert data[0]["tickets"] == 5
    assert "background music" in data[0]["draft"]
    assert "<script" not in gaps.read_text()
    assert "5 tickets" in gaps.read_text()


def test_simulate_judges_exported_tickets_by_the_agents_article(tmp_path: Path) -> None:
    config, history = setup(tmp_path, ROWS)
    result = CliRunner().invoke(main, ["simulate", str(history), "--config", str(config),
                                       "--out", str(tmp_path / "d.jsonl"), "--quiet"])
    assert result.exit_code == 0, result.output
    # h1-h3 replies name an article; the music reply and the signature do not.
    assert "agent_answered_tickets: 3" in result.output
    decided = [json.loads(x) for x in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert all(d["path"] != "skip" for d in decided)


def test_calibrate_on_a_learned_index_keeps_the_fit_in_the_learned_index(
        tmp_path: Path) -> None:
    config, history = setup(tmp_path, ROWS)
    assert learn(config, history).exit_code == 0
    labelled = tmp_path / "labelled.jsonl"
    asked = [("where is my parcel?", "track_order"), ("I forgot my password", "reset_password"),
             ("how long does delivery take?", "shipping_times"),
             ("where is my parcel, it is late", "gift_cards")]  # one label the top won't match
    labelled.write_text("".join(json.dumps({**row(f"l{n}", q, "x"), "messages": [
        {"author": "customer", "body": q, "public": True, "created_at": "2026-01-05T10:00:00Z"}],
        "labels": {"intent": intent}}) + "\n" for n, (q, intent) in enumerate(asked)))
    result = CliRunner().invoke(main, ["calibrate", str(labelled), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "learned index: 4 examples" in result.output
    saved = json.loads((tmp_path / "index" / "learned.json").read_text())
    assert saved["calibration"]["samples"] == 4
    assert not (tmp_path / "index" / "calibration.json").exists()
    # --zero-shot fits the knowledge base's own calibration and leaves the learned one.
    learned = (tmp_path / "index" / "learned.json").read_bytes()
    own = CliRunner().invoke(main, ["calibrate", str(labelled), "--config", str(config),
                                    "--zero-shot"])
    assert own.exit_code == 0, own.output
    assert json.loads((tmp_path / "index" / "calibration.json").read_text())["samples"] == 4
    assert (tmp_path / "index" / "learned.json").read_bytes() == learned


def test_questions_are_kept_for_the_first_tickets_of_an_article_only(tmp_path: Path) -> None:
    from core.learning import MAX_KEPT

    many = [row(f"t{n:04d}", f"where can I follow my parcel number {n}, order {n}", TRACK)
            for n in range(MAX_KEPT + 2)]
    config, history = setup(tmp_path, many)
    assert learn(config, history).exit_code == 0
    saved = json.loads((tmp_path / "index" / "learned.json").read_text())
    assert len(saved["tickets"]) == MAX_KEPT
    assert all(t["article"] == "track_order" and t["questions"]
               for t in saved["tickets"].values())
    # The two past the cap are remembered by digest only (8 bytes each), so a re-run
    # skips all of them and a longer history adds only its new ticket.
    assert len(base64.b64decode(saved["seen"]["=track_order"])) == 8 * (MAX_KEPT + 2)
    setup(tmp_path, [*many, row("t9999", "where is my parcel, order 9999?", TRACK)])
    again = learn(config, history)
    assert f"new tickets: 1; already learned: {MAX_KEPT + 2}" in again.output
    assert f"matched {MAX_KEPT + 3}, abstained 0" in again.output


def test_a_format_1_index_is_read_and_rewritten_compactly(tmp_path: Path) -> None:
    config, history = setup(tmp_path, ROWS)
    assert learn(config, history).exit_code == 0
    saved = tmp_path / "index" / "learned.json"
    compact = json.loads(saved.read_text())
    # Format 1 kept every ticket as an entry, with or without questions.
    old = {**compact, "format": 1, "tickets": {
        **compact["tickets"], "t-old": {"article": "track_order"}}}
    del old["seen"]
    saved.write_text(json.dumps(old))
    setup(tmp_path, [*ROWS, row("h6", "forgot my password, how do I get back in?", PASSWORD)])
    more = learn(config, history)
    assert "new tickets: 1; already learned: 4" in more.output, more.output
    rewritten = json.loads(saved.read_text())
    assert rewritten["format"] == 2
    assert "t-old" not in rewritten["tickets"]
    assert len(base64.b64decode(rewritten["seen"]["=track_order"])) == 8 * 3  # h1, h2, t-old


def test_another_knowledge_base_starts_the_learned_index_over(tmp_path: Path) -> None:
    config, history = setup(tmp_path, ROWS)
    assert learn(config, history).exit_code == 0
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    for article in (ROOT / "config" / "knowledge").glob("*.md"):
        if article.stem != "gift_cards":
            (knowledge / article.name).write_text(article.read_text())
    changed = CliRunner().invoke(main, ["learn", str(history), "--config", str(config),
                                        "--quiet", "--knowledge", str(knowledge)])
    assert changed.exit_code == 0, changed.output
    assert "another version of the knowledge base" in changed.output
    assert "new tickets: 4; already learned: 0" in changed.output
