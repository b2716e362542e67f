"""`handoff serve`: the gunicorn command line it runs."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from worker.cli import main
from worker.cli.serve import RECEIVER_THREADS


def served_argv(monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    seen: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda _path, argv: seen.append(list(argv)))
    result = CliRunner().invoke(main, ["serve", *args])
    assert result.exit_code == 0, result.output
    return seen[0]


def option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


def test_by_default_threaded_workers_one_more_than_the_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Threads, so that slow clients cannot hold every worker (tests/e2e/test_serve_slow_clients).
    argv = served_argv(monkeypatch)
    assert option(argv, "--workers") == str((os.cpu_count() or 1) + 1)
    assert (option(argv, "--worker-class"), option(argv, "--threads")) == (
        "gthread", str(RECEIVER_THREADS))
    assert argv[-1] == "receiver.wsgi:build_app()"


def test_threads_choose_the_threaded_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = served_argv(monkeypatch, "--workers", "2", "--threads", "8")
    assert (option(argv, "--workers"), option(argv, "--worker-class"),
            option(argv, "--threads")) == ("2", "gthread", "8")


def test_one_thread_is_the_sync_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = served_argv(monkeypatch, "--threads", "1")
    assert (option(argv, "--worker-class"), option(argv, "--threads")) == (None, None)
