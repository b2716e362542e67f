"""Log records carry the job's fields and never personal data."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from infra.logs import JsonFormatter, _MaskAndBind, bind


def emit(message: str, *args: object) -> logging.LogRecord:
    record = logging.LogRecord("worker.jobs", logging.INFO, __file__, 1, message, args, None)
    assert _MaskAndBind().filter(record)
    return record


def test_json_line_has_bound_fields_and_masked_message() -> None:
    with bind(platform="zendesk", ticket_id="42", decision_id="d1", job_id=None):
        record = emit("reply sent to %s", "jane@example.com")
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "reply sent to [email]"
    assert (entry["platform"], entry["ticket_id"], entry["decision_id"]) == ("zendesk", "42", "d1")
    assert "job_id" not in entry
    assert entry["level"] == "info"


def test_fields_do_not_leak_out_of_the_block() -> None:
    with bind(ticket_id="42"):
        pass
    entry = json.loads(JsonFormatter().format(emit("idle")))
    assert "ticket_id" not in entry


@pytest.mark.parametrize("secret", ["4111 1111 1111 1111", "+44 20 7946 0958"])
def test_exceptions_are_masked_too(secret: str) -> None:
    try:
        raise ValueError(f"bad input {secret}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "bad input" in entry["error"]
    assert secret not in entry["error"]
