"""JSON Schema checks of record data, reported as located Problems."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from tracker.model.errors import Problem
from tracker.storage.resources import schema_path
from tracker.storage.yamlio import FieldPath, Marks, dotted

NUMBER_PATTERN = "^[1-9][0-9]*[a-z]?$"  # a recommendation's number, as in the schemas
KINDS = ("meeting", "action", "report", "recommendation", "response")


@cache
def load_schema(kind: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(schema_path(kind).read_text(encoding="utf-8"))
    return result


@cache
def single_line_fields(kind: str) -> frozenset[str]:
    """The names of the kind's text fields that must stay on one line: every text (or list of text) field the
    schema declares, but those it marks as Markdown (`"contentMediaType": "text/markdown"`)."""
    names: set[str] = set()
    markdown: set[str] = set()

    def is_text(schema: Any) -> bool:
        if not isinstance(schema, dict):
            return False
        if schema.get("type") == "string" or is_text(schema.get("items")):
            return True
        return any(is_text(branch) for key in ("oneOf", "anyOf") for branch in schema.get(key, []))

    def walk(schema: Any) -> None:
        if isinstance(schema, dict):
            for name, sub in (schema.get("properties") or {}).items():
                if isinstance(sub, dict) and sub.get("contentMediaType") == "text/markdown":
                    markdown.add(name)
                elif is_text(sub):
                    names.add(name)
            for value in schema.values():
                walk(value)
        elif isinstance(schema, list):
            for value in schema:
                walk(value)

    walk(load_schema(kind))
    return frozenset(names - markdown)


@cache
def _validator(kind: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(kind))


@cache
def _quick(kind: str) -> Any:
    """The yes/no check: jsonschema-rs (compiled, and strict where Python's re is lax: a pattern ending in $ does
    not let a trailing newline through), or None where its wheel is missing."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.Draft202012Validator(load_schema(kind), validate_formats=False)


def locate(marks: Marks | None, path: FieldPath) -> tuple[int, int]:
    """The line and column of the field, or of its nearest enclosing field that has a position."""
    if not marks:
        return (0, 0)
    while path not in marks and path:
        path = path[:-1]
    return marks.get(path, (0, 0))


def schema_problems(kind: str, data: Any, path: str, marks: Marks | None = None) -> list[Problem]:
    """Every way data breaks the kind's schema, as Problems naming the field; control characters in any text and
    line breaks in single-line fields included (a pattern cannot refuse those the same way in every dialect)."""
    from tracker.model.textsafety import text_problems

    problems = []
    for where, message in text_problems(data, single_line_fields(kind)):
        line, column = locate(marks, where)
        problems.append(Problem(path, line, column, message, dotted(where)))
    quick = _quick(kind)
    if quick is not None and quick.is_valid(data):
        return sorted(set(problems))  # valid: jsonschema would find nothing, and is only needed to explain errors
    for error in _validator(kind).iter_errors(data):
        for leaf in _leaves(error):
            field_path: FieldPath = tuple(leaf.absolute_path)
            if leaf.validator == "additionalProperties":
                for name in _unknown_fields(leaf):
                    line, column = locate(marks, (*field_path, name))
                    message = f"unknown field {name!r} (custom fields must start with x-)"
                    problems.append(Problem(path, line, column, message, dotted((*field_path, name))))
                continue
            line, column = locate(marks, field_path)
            named = field_path
            if leaf.validator == "required":
                # Name the missing field itself; it has no position, so the enclosing mapping's is given.
                named = (*field_path, *[name for name in leaf.validator_value if repr(name) in leaf.message][:1])
            problems.append(Problem(path, line, column, _message(leaf), dotted(named)))
    if not problems and quick is not None:
        # Only the stricter check objects (a value ending in a newline, say): say where, in its words.
        for error in quick.iter_errors(data):
            field_path = tuple(error.instance_path)
            line, column = locate(marks, field_path)
            problems.append(Problem(path, line, column, error.message, dotted(field_path)))
    return sorted(set(problems))


def _leaves(error: Any) -> list[Any]:
    # oneOf/anyOf errors hide the useful detail in their context; report the deepest ones.
    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = max(len(e.absolute_path) for e in error.context)
        if deepest > len(error.absolute_path):
            return [e for e in error.context if len(e.absolute_path) == deepest]
    return [error]


def _message(error: Any) -> str:
    validator = error.validator
    if validator == "required":
        return str(error.message).replace("is a required property", "is required")
    if validator == "pattern":
        return f"{error.instance!r} is not in the expected form ({_pattern_hint(error.schema['pattern'])})"
    if validator == "oneOf" and any(branch.get("pattern", "").startswith(r"^\d{4}(") for branch in error.validator_value):
        return f"{error.instance!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY"
    if validator == "oneOf" and any(branch.get("pattern") == NUMBER_PATTERN for branch in error.validator_value):
        return f"{error.instance!r} is not a recommendation number: write 5, or 5a for a lettered one"
    if validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if validator == "const":
        return f"must be {error.validator_value!r}, not {error.instance!r}"
    if validator == "type":
        return f"{error.instance!r} should be {_a(error.validator_value)}"
    if validator == "not":
        return "a standing item has no meeting or item number"
    return str(error.message)


def _unknown_fields(error: Any) -> list[str]:
    known = set(error.schema.get("properties", {}))
    return sorted(str(name) for name in error.instance if name not in known and not str(name).startswith("x-"))


def _a(types: Any) -> str:
    names: dict[str, str] = {"string": "text", "integer": "a whole number", "array": "a list", "object": "a mapping", "boolean": "true or false"}
    if isinstance(types, list):
        return " or ".join(names.get(str(t), str(t)) for t in types)
    return names.get(str(types), str(types))


def _pattern_hint(pattern: str) -> str:
    if pattern.startswith(r"^\d{4}-\d{2}"):
        return "a date, YYYY-MM-DD"
    if pattern.startswith("^[a-z0-9]"):
        return "lower-case letters, digits and hyphens"
    if pattern.startswith("^https?://"):
        return "a web address starting https:// or http://"
    return f"matching {pattern}"
