"""Custom-field values become one deterministic string each; absent values are left out."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.fields import field_text, text_fields


@pytest.mark.parametrize(("value", "text"), [
    ("gold", "gold"),
    ("", ""),
    (1200, "1200"),
    (1200.5, "1200.5"),
    (0, "0"),
    (True, "true"),
    (False, "false"),
    (["emea", "apac"], "emea,apac"),
    ([1, True, None, "x"], "1,true,x"),
    ({"b": 2, "a": [1, None]}, '{"a":[1,null],"b":2}'),
    ({"ville": "Zürich"}, '{"ville":"Zürich"}'),
])
def test_values_become_one_spelling(value: Any, text: str) -> None:
    assert field_text(value) == text


@pytest.mark.parametrize("value", [None, [], [None]])
def test_absent_values_have_no_text(value: Any) -> None:
    assert field_text(value) is None


def test_text_fields_leaves_out_absent_values_and_keeps_names_as_strings() -> None:
    raw = {"tier": "gold", "ltv": 1200.5, "vip": False, "notes": None, "tags": [], 7: "seven"}
    assert text_fields(raw) == {"tier": "gold", "ltv": "1200.5", "vip": "false", "7": "seven"}


@pytest.mark.parametrize("raw", [None, [], "tier=gold", 3])
def test_text_fields_of_anything_but_an_object_is_empty(raw: Any) -> None:
    assert text_fields(raw) == {}
