"""The compiled schema check agrees with jsonschema, and the fast JSON text equals the standard library's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.conftest import PROJECT
from tracker.storage.fastschema import compile_schema, equal
from tracker.storage.schemas import KINDS, load_schema, schema_problems
from tracker.storage.yamlio import load_file
from tracker.text.jsontext import dumps

SCHEMAS = {kind: load_schema(kind) for kind in (*KINDS, "tracker")}
SAMPLES = sorted((PROJECT / "records").rglob("*.yaml"))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 10_000), st.floats(allow_nan=False),
                    st.sampled_from(["", "x", "2023", "2023-12", "2023-12-31", "ongoing", "Not A Slug", "x-y", "7a"]),
                    st.text(max_size=5))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                           st.dictionaries(st.text(max_size=4), inner, max_size=3)),
                           max_leaves=8)
field_names = st.sampled_from(["id", "kind", "committee", "status", "due", "history", "text", "to", "number", "standing",
                               "meeting", "item", "item_title", "title", "created", "event", "date", "from", "x-note",
                               "colour", "recommendations", "position", "previous_due", "reason", "published"])


def mutate(data: Any, draw: Any) -> Any:
    """A record changed in one place: a field dropped, replaced or added, at any depth."""
    if isinstance(data, dict) and data:
        key = draw(st.sampled_from(sorted(data)))
        action = draw(st.sampled_from(["drop", "replace", "add", "descend"]))
        copy = dict(data)
        if action == "drop":
            del copy[key]
        elif action == "replace":
            copy[key] = draw(json_values)
        elif action == "add":
            copy[draw(field_names)] = draw(json_values)
        else:
            copy[key] = mutate(copy[key], draw)
        return copy
    if isinstance(data, list) and data:
        index = draw(st.integers(0, len(data) - 1))
        copy = list(data)
        copy[index] = mutate(copy[index], draw) if draw(st.booleans()) else draw(json_values)
        return copy
    return draw(json_values)


def test_every_schema_compiles() -> None:
    assert all(compile_schema(schema) is not None for schema in SCHEMAS.values())


@pytest.mark.parametrize("path", SAMPLES[:40], ids=lambda p: p.name)
def test_real_records_are_valid_both_ways(path: Path) -> None:
    data = load_file(path)
    schema = SCHEMAS[data["kind"]]
    assert compile_schema(schema)(data) is True  # type: ignore[misc]
    assert Draft202012Validator(schema).is_valid(data)


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_the_compiled_check_agrees_with_jsonschema(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(SAMPLES))
    record = load_file(path)
    changed = record
    for _ in range(data.draw(st.integers(1, 3))):
        changed = mutate(changed, data.draw)
    schema = SCHEMAS[record["kind"]]
    assert compile_schema(schema)(changed) == Draft202012Validator(schema).is_valid(changed)  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_the_compiled_check_agrees_on_any_value(value: Any) -> None:
    for schema in SCHEMAS.values():
        assert compile_schema(schema)(value) == Draft202012Validator(schema).is_valid(value)  # type: ignore[misc]


def test_problems_still_come_from_jsonschema() -> None:
    data = load_file(SAMPLES[0])
    data["colour"] = "red"
    problems = schema_problems(data["kind"], data, "x.yaml")
    assert [p.message for p in problems] == ["unknown field 'colour' (custom fields must start with x-)"]


def test_unsupported_keywords_are_left_to_jsonschema() -> None:
    assert compile_schema({"type": "object", "unevaluatedProperties": False}) is None
    assert compile_schema({"$ref": "https://example.org/other.json"}) is None
    assert compile_schema({"items": {"$id": "inner", "type": "string"}}) is None


@pytest.mark.parametrize("one,two,same", [(True, 1, False), (1, 1.0, True), ([1, True], [1, True], True),
                                          ({"a": [0]}, {"a": [False]}, False), (None, None, True), ("1", 1, False)])
def test_json_equality_as_jsonschema_sees_it(one: Any, two: Any, same: bool) -> None:
    assert equal(one, two) is same
    assert Draft202012Validator({"const": one}).is_valid(two) is same


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()),
                    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                            st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                    max_leaves=20))
def test_fast_json_text_is_exactly_the_standard_text(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_fast_json_text_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        dumps({"when": object()})
    keys = {1: "a", None: "b", 2.5: "c", False: "d"}
    assert dumps(keys) == json.dumps(keys, indent=2)
