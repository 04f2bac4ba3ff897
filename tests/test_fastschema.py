"""The generated yes/no schema check answers exactly as jsonschema does, and a hostile schema cannot inject code."""

from __future__ import annotations

import builtins
import copy
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.conftest import PROJECT, generated_repo
from tracker.storage.fastschema import compile_schema
from tracker.storage.schemas import KINDS, load_schema
from tracker.storage.yamlio import load_file

SHIPPED = {kind: load_schema(kind) for kind in (*KINDS, "tracker")}
CHECKS = {kind: compile_schema(schema) for kind, schema in SHIPPED.items()}
VALIDATORS = {kind: Draft202012Validator(schema) for kind, schema in SHIPPED.items()}
BUNDLED = [load_file(path) for path in sorted((PROJECT / "records").rglob("*.yaml"))]


def agrees(schema: Any, instance: Any) -> bool:
    """Compile schema (it must be supported) and tell whether the check and jsonschema give the same answer."""
    check = compile_schema(schema)
    assert check is not None, schema
    answer = check(instance)
    assert isinstance(answer, bool)
    return answer == Draft202012Validator(schema).is_valid(instance)


def shipped_agrees(kind: str, instance: Any) -> bool:
    check = CHECKS[kind]
    assert check is not None
    return check(instance) == VALIDATORS[kind].is_valid(instance)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    root = generated_repo(tmp_path_factory, "fastschema", 150, 5)
    return [load_file(path) for path in sorted((root / "records").rglob("*.yaml"))] + [load_file(root / "tracker.yaml")]


# Valid records: the check must say yes exactly where jsonschema does.

def test_every_shipped_schema_compiles() -> None:
    assert all(check is not None for check in CHECKS.values())


def test_every_bundled_record_is_valid_both_ways() -> None:
    assert BUNDLED
    for record in BUNDLED:
        assert CHECKS[record["kind"]](record) is True  # type: ignore[misc]
        assert VALIDATORS[record["kind"]].is_valid(record)
    config = load_file(PROJECT / "tracker.yaml")
    assert CHECKS["tracker"](config) is True and VALIDATORS["tracker"].is_valid(config)  # type: ignore[misc]


def test_every_generated_record_is_valid_both_ways(generated: list[Any]) -> None:
    kinds = set()
    for record in generated:
        kind = record.get("kind", "tracker")
        kinds.add(kind)
        assert CHECKS[kind](record) is True, record  # type: ignore[misc]
        assert VALIDATORS[kind].is_valid(record)
    assert kinds == {*KINDS, "tracker"}


# Hand-made breakages of every record, at the top level and inside history and responses' recommendations.

TRICKY = [True, False, 0, 1, 1.0, 1.5, -1, 999, 1000, 9999, 9999.0, 10000, 2023.0, math.inf, -math.inf, None, "",
          " ", "x", "2023", "2023-12", "2023-12-31", "2023-12-31\n", "2023-1-1", "Not A Slug", "a--b", "-a", "ongoing",
          "noted", "status", "7a", "é", [], ["x"], [""], {}, {"x-a": 1}, {"number": 1, "position": "noted"}]


def breakages(record: dict[str, Any]) -> list[Any]:
    """The record with one field dropped, replaced by a tricky value, or joined by a stranger, at every place."""
    out: list[Any] = []

    def walk(value: Any, rebuild: Any) -> None:
        if isinstance(value, dict):
            for key in value:
                out.append(rebuild({k: v for k, v in value.items() if k != key}))
                for tricky in TRICKY:
                    out.append(rebuild({**value, key: tricky}))
                walk(value[key], lambda new, key=key: rebuild({**value, key: new}))
            for stranger in ("colour", "x-colour", "x-", "X-upper", "", "Kind"):
                out.append(rebuild({**value, stranger: "red"}))
        elif isinstance(value, list):
            out.append(rebuild([]))
            out.append(rebuild([*value, value[0] if value else "x"]))
            for index, item in enumerate(value):
                for tricky in TRICKY[:8]:
                    out.append(rebuild([*value[:index], tricky, *value[index + 1:]]))
                walk(item, lambda new, index=index: rebuild([*value[:index], new, *value[index + 1:]]))

    walk(record, lambda new: new)
    return out


def _samples() -> list[Any]:
    by_kind: dict[str, list[Any]] = {}
    for record in BUNDLED:
        by_kind.setdefault(record["kind"], []).append(record)
    # The record with the longest history of each kind, and a standing item, cover every branch of the schemas.
    chosen = [max(records, key=lambda r: (len(r.get("history", [])), len(r))) for records in by_kind.values()]
    chosen += [r for r in BUNDLED if r.get("standing")][:1]
    return chosen


@pytest.mark.parametrize("record", _samples(), ids=lambda r: r["id"])
def test_every_single_breakage_is_judged_as_jsonschema_judges_it(record: dict[str, Any]) -> None:
    cases = breakages(record)
    assert len(cases) > 100
    wrong = [case for case in cases if not shipped_agrees(record["kind"], case)]
    assert wrong == []
    # The breakages really exercise both answers.
    answers = {VALIDATORS[record["kind"]].is_valid(case) for case in cases}
    assert answers == {True, False}


def test_json_types_are_exact() -> None:
    recommendation = next(r for r in BUNDLED if r["kind"] == "recommendation")
    check = CHECKS["recommendation"]
    assert check is not None
    assert check({**recommendation, "number": 1.0}) is True  # 1.0 is an integer in JSON
    assert check({**recommendation, "number": True}) is False  # true is not
    assert check({**recommendation, "number": 1.5}) is False
    assert check({**recommendation, "due": 2023}) is True
    assert check({**recommendation, "due": 2023.0}) is True
    assert check({**recommendation, "due": True}) is False
    assert check({**recommendation, "due": "2023-12-31\n"}) is True  # re.search: $ matches before a final newline
    assert check({**recommendation, "to": [""]}) is False


def test_broken_history_items() -> None:
    action = next(r for r in BUNDLED if r["kind"] == "action" and len(r.get("history", [])) >= 1)
    event = {"date": "2023-06-01", "event": "status", "from": "ongoing", "status": "completed"}
    cases = [
        {**event}, {**event, "x-source": "email"}, {**event, "source": "email"}, {k: v for k, v in event.items() if k != "from"},
        {**event, "event": "reschedule"}, {**event, "event": "reschedule", "due": 2024, "reason": "late"},
        {**event, "event": "reschedule", "due": True, "reason": "late"}, {**event, "date": "2023-06"},
        {"date": "2023-06-01", "event": "note"}, {"date": "2023-06-01", "event": "note", "note": ""},
        {"date": "2023-06-01", "event": "response", "response": "Not A Slug"}, "2023-06-01", None,
    ]
    for case in cases:
        broken = copy.deepcopy(action)
        broken["history"].append(case)
        assert shipped_agrees("action", broken), case


# Generated mutations of valid records.

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10_001), st.sampled_from([1.0, 2.5, 1000.0, math.inf]),
                         st.sampled_from(TRICKY[16:33]), st.text(max_size=6))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["number", "position", "date", "event", "x-a", "a"]) | st.text(max_size=4),
                                                 inner, max_size=3)), max_leaves=8)
field_names = st.sampled_from(["id", "kind", "committee", "status", "due", "history", "text", "to", "number",
                                   "standing", "meeting", "item", "item_title", "title", "created", "event", "date",
                                   "from", "x-note", "colour", "recommendations", "position", "previous_due", "reason",
                                   "published", "note", "response", "evidence", "by", "summary", "slug", "deadline"])


def mutate(value: Any, draw: Any) -> Any:
    if isinstance(value, dict) and value and draw(st.integers(0, 4)):
        key = draw(st.sampled_from(sorted(value)))
        action = draw(st.sampled_from(["drop", "replace", "add", "descend", "descend"]))
        changed = dict(value)
        if action == "drop":
            del changed[key]
        elif action == "replace":
            changed[key] = draw(json_values)
        elif action == "add":
            changed[draw(field_names)] = draw(json_values)
        else:
            changed[key] = mutate(changed[key], draw)
        return changed
    if isinstance(value, list) and value and draw(st.integers(0, 4)):
        index = draw(st.integers(0, len(value) - 1))
        changed = list(value)
        changed[index] = mutate(changed[index], draw) if draw(st.booleans()) else draw(json_values)
        return changed
    return draw(json_values)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_mutated_records_are_judged_as_jsonschema_judges_them(generated: list[Any], data: st.DataObject) -> None:
    record = data.draw(st.sampled_from(BUNDLED + generated))
    changed = record
    for _ in range(data.draw(st.integers(1, 3))):
        changed = mutate(changed, data.draw)
    assert shipped_agrees(record.get("kind", "tracker"), changed)


# Small schemas, one or two keywords each, against any JSON value.

SYNTHETIC: list[Any] = [
    True, False, {}, {"$comment": "x", "title": "t", "description": "d", "format": "date", "default": 1, "examples": []},
    {"type": "integer"}, {"type": "number"}, {"type": "string"}, {"type": "boolean"}, {"type": "null"},
    {"type": "array"}, {"type": "object"}, {"type": ["integer", "null"]}, {"type": ["number", "string"]}, {"type": []},
    {"const": 1}, {"const": True}, {"const": False}, {"const": None}, {"const": "a"}, {"const": [1, {"a": False}]},
    {"const": {"a": 1.0}}, {"const": 1.0}, {"const": []},
    {"enum": ["a", "b"]}, {"enum": [1, "1", None, True, [0]]}, {"enum": [None, False]}, {"enum": []}, {"enum": [{"a": [1]}]},
    {"pattern": "b"}, {"pattern": "^a.c$"}, {"pattern": "\\d"}, {"type": "string", "pattern": "^[a-z]+(-[a-z]+)*$"},
    {"pattern": "^$"}, {"pattern": "(?i)^A"},
    {"minLength": 2}, {"maxLength": 1}, {"minLength": 1, "maxLength": 3}, {"type": "string", "minLength": 0},
    {"minimum": 2}, {"maximum": 2.5}, {"exclusiveMinimum": 0}, {"exclusiveMaximum": 10},
    {"type": "integer", "minimum": 1000, "maximum": 9999}, {"minimum": 1.5, "exclusiveMaximum": 3},
    {"minItems": 1}, {"maxItems": 2}, {"minProperties": 1}, {"maxProperties": 1}, {"type": "array", "maxItems": 0},
    {"required": ["a"]}, {"required": ["a", "b"]}, {"required": []}, {"type": "object", "required": ["a", "x-a"]},
    {"properties": {"a": {"type": "integer"}, "b": {"const": True}}},
    {"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "minLength": 1}, "b": False}},
    {"patternProperties": {"^x-": {"type": "string"}, "b": {"type": "integer"}}},
    {"properties": {"a": {}}, "additionalProperties": False},
    {"properties": {"a": {}}, "patternProperties": {"^x-": {}}, "additionalProperties": False},
    {"properties": {"a": {}}, "patternProperties": {"^x-": {}, "^b": {}}, "additionalProperties": {"type": "integer"}},
    {"additionalProperties": {"type": "string"}}, {"additionalProperties": True}, {"additionalProperties": False},
    {"propertyNames": {"pattern": "^[a-z]+$"}}, {"propertyNames": {"maxLength": 1}}, {"propertyNames": False},
    {"items": {"type": "integer"}}, {"items": False}, {"items": True}, {"items": {"items": {"type": "string"}}},
    {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["number"]}},
    {"allOf": [{"type": "integer"}, {"minimum": 3}]}, {"allOf": [{"required": ["a"]}, {"properties": {"a": {"type": "null"}}}]},
    {"anyOf": [{"type": "string"}, {"minimum": 3}]}, {"anyOf": [{"items": {"type": "string"}}, {"type": "integer"}]},
    {"oneOf": [{"type": "integer"}, {"minimum": 3}]}, {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    {"oneOf": [{"type": "number"}, {"type": "integer"}]}, {"oneOf": [{"type": ["string", "null"]}, {"type": "null"}]},
    {"oneOf": [{"type": "string", "pattern": "^\\d{4}(-\\d{2}(-\\d{2})?)?$"}, {"type": "integer", "minimum": 1000, "maximum": 9999}]},
    {"oneOf": [{"properties": {"a": {"items": {"type": "integer"}}}}, {"required": ["b"]}]},
    {"not": {"type": "string"}}, {"not": {"required": ["a"]}}, {"not": True}, {"not": {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}},
    {"not": {"properties": {"a": {"items": {"type": "integer"}}}}},
    {"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
    {"if": {"type": "integer"}, "then": {"minimum": 5}}, {"if": {"type": "string"}, "else": {"const": 0}},
    {"then": {"const": 1}}, {"else": {"const": 1}}, {"if": {"items": {"type": "string"}}, "then": {"maxItems": 1}},
    {"type": "object", "required": ["event"], "properties": {"event": {"enum": ["status", "note"]}},
     "allOf": [{"if": {"properties": {"event": {"const": "status"}}}, "then": {"required": ["from"]}},
               {"if": {"properties": {"event": {"const": "note"}}}, "then": {"required": ["note"]}}]},
    {"properties": {"a": {"const": True}}, "required": ["a"], "if": {"properties": {"a": {"const": True}}, "required": ["a"]},
     "then": {"not": {"anyOf": [{"required": ["b"]}]}}, "else": {"required": ["c"]}},
    {"$defs": {"n": {"type": "integer"}}, "type": "array", "items": {"$ref": "#/$defs/n"}},
    {"$ref": "#/$defs/n", "$defs": {"n": {"type": "integer"}}, "minimum": 3},
    {"definitions": {"n": {"type": "string"}}, "items": {"$ref": "#/definitions/n"}},
    {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#"}}, "v": {"type": "integer"}},
     "additionalProperties": False},
    {"$ref": "#/$defs/a", "$defs": {"a": {"type": "object", "properties": {"next": {"$ref": "#/$defs/b"}}},
                                    "b": {"type": "object", "properties": {"kids": {"items": {"$ref": "#/$defs/a"}}}}}},
    {"$defs": {"a~b": {"type": "string"}, "c/d": {"type": "integer"}}, "anyOf": [{"$ref": "#/$defs/a~0b"}, {"$ref": "#/$defs/c~1d"}]},
    {"allOf": [{"type": ["string", "integer"]}], "not": {"$ref": "#/allOf/0"}},
    {"anyOf": [{"$ref": "#/$defs/s"}, {"type": "null"}], "$defs": {"s": {"type": "string", "maxLength": 2}}},
    {"properties": {"a": False}}, {"items": {"not": True}},
    {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.org/s", "type": "object",
     "properties": {"a": {"$ref": "#/$defs/d"}}, "$defs": {"d": {"$schema": "https://json-schema.org/draft/2020-12/schema",
                                                               "type": "integer"}}},
]


def _nested(depth: int) -> Any:
    """A schema nested deeper than one function or one expression holds: properties, items and anyOf in turn."""
    schema: Any = {"type": "integer", "minimum": 0}
    for level in range(depth):
        schema = [{"properties": {"a": schema}}, {"items": schema}, {"anyOf": [schema, {"type": "null"}]},
                  {"not": {"not": schema}}, {"if": {"type": "object"}, "then": schema}][level % 5]
    return schema


SYNTHETIC += [_nested(depth) for depth in (6, 13, 30)]

instance_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 10_001), st.floats(allow_nan=True, width=64),
              st.sampled_from([0, 1, 1.0, 2.5, 3, 5, 1000, 9999.0, -1, math.inf, -math.inf, math.nan]),
              st.sampled_from(["", "a", "abc", "b", "ab", "1", "a-b", "A", "é", "e\u0301", "😀", "\n", "a\n", "2023", "x-a"]),
              st.text(max_size=4)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(
        st.sampled_from(["a", "b", "c", "x-a", "x-", "kids", "v", "next", "event", "from", "note", "number"]) | st.text(max_size=3),
        inner, max_size=4)),
    max_leaves=10,
)


PAIRS = [(schema, compile_schema(schema), Draft202012Validator(schema)) for schema in SYNTHETIC]


def test_each_synthetic_schema_compiles() -> None:
    assert [schema for schema, check, _ in PAIRS if check is None] == []


@settings(max_examples=1000, deadline=None)
@given(instance_values)
def test_each_keyword_is_judged_as_jsonschema_judges_it(value: Any) -> None:
    for schema, check, validator in PAIRS:
        assert check is not None
        assert check(value) == validator.is_valid(value), schema


@settings(max_examples=300, deadline=None)
@given(instance_values)
def test_any_value_is_judged_as_jsonschema_judges_it_by_the_shipped_schemas(value: Any) -> None:
    for kind in SHIPPED:
        assert shipped_agrees(kind, value), (kind, value)


def test_a_schema_that_refers_to_itself_checks_nested_values() -> None:
    tree = SYNTHETIC[[i for i, s in enumerate(SYNTHETIC) if isinstance(s, dict) and "kids" in s.get("properties", {})][0]]
    check = compile_schema(tree)
    assert check is not None
    leaf: Any = {"v": 1}
    for _ in range(20):
        leaf = {"v": 2, "kids": [leaf, {"v": 3}]}
    assert check(leaf) is True
    bad = copy.deepcopy(leaf)
    inner = bad
    for _ in range(15):
        inner = inner["kids"][0]
    inner["v"] = True
    assert check(bad) is False
    assert Draft202012Validator(tree).is_valid(leaf) and not Draft202012Validator(tree).is_valid(bad)


# What is not compiled: every check then goes to jsonschema.

@pytest.mark.parametrize("schema", [
    {"type": "object", "unevaluatedProperties": False},
    {"prefixItems": [{"type": "string"}], "items": False},
    {"uniqueItems": True}, {"multipleOf": 2}, {"contains": {"type": "string"}}, {"dependentRequired": {"a": ["b"]}},
    {"$anchor": "x"}, {"$dynamicRef": "#x"}, {"x-custom": 1},
    {"$ref": "https://example.org/other.json"}, {"$ref": "#x"}, {"$ref": "#/$defs/a%20b", "$defs": {"a b": {}}},
    {"$ref": "#/allOf/-1", "allOf": [{}]}, {"$ref": "#/allOf/01", "allOf": [{}, {}]}, {"$ref": "#/nowhere"},
    {"items": {"$id": "inner", "type": "string"}},
    {"$ref": "#/$defs/a/$defs/b", "$defs": {"a": {"$id": "https://example.org/a", "$defs": {"b": {"$ref": "#"}}}}},
    {"$schema": "http://json-schema.org/draft-07/schema#", "type": "integer"},
    {"properties": {"a": {"$schema": "http://json-schema.org/draft-07/schema#"}}},
    {"$ref": "#"}, {"anyOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"allOf": [{"$ref": "#"}]}}},
    {"minLength": True}, {"minimum": "3"}, {"maxItems": None}, {"enum": "ab"}, {"required": "a"}, {"required": [1]},
    {"type": "float"}, {"type": ["string", 1]}, {"pattern": "("}, {"pattern": 1},
    {"patternProperties": {"(": {}}}, {"properties": []}, {"allOf": []}, {"anyOf": {}}, {"items": 1}, {"not": None},
    "a string", None, [], 1,
])
def test_unsupported_schemas_are_left_to_jsonschema(schema: Any) -> None:
    assert compile_schema(schema) is None


# A clerk's schema is not trusted: nothing in it can become code.

PAYLOADS = [
    "'] or __import__('builtins').__setattr__('PWNED', 1) or v['",
    '"] or __import__("builtins").__setattr__("PWNED", 1) or v["',
    "\"\"\"\n__import__('builtins').__setattr__('PWNED', 1)\n\"\"\"",
    "'''\n__import__('builtins').__setattr__('PWNED', 1)\n'''",
    "\\', __import__('builtins').__setattr__('PWNED', 1), '",
    "\\\n__import__('builtins').__setattr__('PWNED', 1)#",
    "a\nb\\", "\x00\r\t\u2028\ud800", "{0}{x}}",
]


def _hostile(payload: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [payload],
        "properties": {payload: {"const": payload}, "n": {"enum": [payload, 1]}},
        "patternProperties": {"^x-" + re.escape(payload): {"type": "string"}, re.escape(payload) + "'\"\"\"\n\\\\": {}},
        "additionalProperties": False,
        "allOf": [{"if": {"properties": {payload: {"const": payload}}}, "then": {"required": [payload]}}],
        "$defs": {payload: {"type": "string", "pattern": re.escape(payload)}},
        "anyOf": [{"$ref": "#/$defs/" + payload.replace("~", "~0").replace("/", "~1")}, {"type": "object"}],
    }


@pytest.mark.parametrize("payload", PAYLOADS)
def test_quotes_backslashes_and_newlines_in_a_schema_do_not_become_code(payload: str) -> None:
    schema = _hostile(payload)
    check = compile_schema(schema)
    assert check is not None
    assert not hasattr(builtins, "PWNED")
    instances = [{payload: payload}, {payload: "other"}, {}, {payload: payload, "n": payload}, {payload: payload, "n": 2},
                 {payload: payload, "x-" + payload: "s"}, {payload: payload, "x-" + payload: 1}, {payload: payload, "z": 1}]
    for instance in instances:
        assert check(instance) == Draft202012Validator(schema).is_valid(instance), instance
    assert check({payload: payload}) is True
    assert not hasattr(builtins, "PWNED")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12), st.text(max_size=12))
def test_any_text_in_names_and_values_stays_text(name: str, value: str) -> None:
    schema = {"type": "object", "required": [name], "properties": {name: {"enum": [value, name]}, value: {"const": name}},
              "additionalProperties": False}
    for instance in ({name: value}, {name: name}, {name: value, value: name}, {name: 1}, {value: name}):
        assert agrees(schema, instance), (schema, instance)
    assert not hasattr(builtins, "PWNED")


def test_a_value_that_cannot_be_checked_fast_is_left_to_jsonschema() -> None:
    # A check that cannot answer (here: nesting beyond Python's stack) says no rather than raising.
    tree = {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#"}}}}
    check = compile_schema(tree)
    assert check is not None
    deep: Any = {}
    for _ in range(5000):
        deep = {"kids": [deep]}
    assert check(deep) is False

