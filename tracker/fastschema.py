"""A quick yes/no JSON Schema check, compiled once per schema, for the common case of a valid record.

jsonschema finds and explains every error, and takes most of the time of a cold load. Nearly every record is
valid, so `compile_schema` turns a schema into a plain function that only answers "valid?"; when it says no,
jsonschema runs as before and reports the problems. Only the keywords listed in _KEYWORDS are compiled, with the
meaning draft 2020-12 gives them; a schema using anything else is not compiled (compile_schema returns None) and
every check goes to jsonschema, so a clerk's own schema can never be checked more loosely than jsonschema would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "deprecated",
                "readOnly", "writeOnly", "format", "definitions"}
_KEYWORDS = {"type", "const", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
             "exclusiveMaximum", "minItems", "maxItems", "minProperties", "maxProperties", "required", "properties",
             "patternProperties", "additionalProperties", "propertyNames", "items", "allOf", "anyOf", "oneOf", "not",
             "if", "then", "else", "$ref"}


class Unsupported(Exception):
    """The schema uses something this compiler does not handle; use jsonschema for it."""


def compile_schema(schema: Any) -> Check | None:
    """A function telling whether an instance is valid against schema, or None when the schema is unsupported."""
    try:
        return _Compiler(schema).compile(schema, "#")
    except (Unsupported, re.error, TypeError, KeyError, ValueError):
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


def equal(one: Any, two: Any) -> bool:
    """JSON equality as jsonschema sees it: true is not 1, and 1 is 1.0."""
    if isinstance(one, str) or isinstance(two, str):
        return isinstance(one, str) and isinstance(two, str) and one == two
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    if isinstance(one, list) or isinstance(two, list):
        return (isinstance(one, list) and isinstance(two, list) and len(one) == len(two)
                and all(equal(a, b) for a, b in zip(one, two, strict=True)))
    if isinstance(one, dict) or isinstance(two, dict):
        return (isinstance(one, dict) and isinstance(two, dict) and one.keys() == two.keys()
                and all(equal(one[key], two[key]) for key in one))
    if one is None or two is None:
        return one is None and two is None
    return bool(one == two)


class _Compiler:
    def __init__(self, root: Any):
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any, where: str) -> Check:
        if schema is True:
            return lambda _v: True
        if schema is False:
            return lambda _v: False
        if not isinstance(schema, dict):
            raise Unsupported(where)
        unknown = set(schema) - _KEYWORDS - _ANNOTATIONS
        if unknown or ("$id" in schema and where != "#"):
            raise Unsupported(f"{where}: {sorted(unknown) or '$id'}")
        checks: list[Check] = [self.keyword(schema, name, where) for name in sorted(schema) if name in _KEYWORDS
                               and name not in ("then", "else")]
        if not checks:
            return lambda _v: True
        if len(checks) == 1:
            return checks[0]
        return lambda value: all(check(value) for check in checks)

    def keyword(self, schema: dict[str, Any], name: str, where: str) -> Check:
        value = schema[name]
        here = f"{where}/{name}"
        if name == "type":
            kinds = [value] if isinstance(value, str) else list(value)
            tests = [_TYPES[kind] for kind in kinds]
            return lambda v: any(test(v) for test in tests)
        if name == "const":
            return lambda v: equal(v, value)
        if name == "enum":
            options = list(value)
            return lambda v: any(equal(v, option) for option in options)
        if name == "pattern":
            search = re.compile(value).search
            return lambda v: not isinstance(v, str) or search(v) is not None
        if name in ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"):
            limit = int(value)
            kind: type[Any] = str if name.endswith("Length") else list if name.endswith("Items") else dict
            at_least = name.startswith("min")

            def sized(v: Any) -> bool:
                return not isinstance(v, kind) or (len(v) >= limit if at_least else len(v) <= limit)

            return sized
        if name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if not _is_number(value):
                raise Unsupported(here)
            compare: dict[str, Check] = {
                "minimum": lambda v: v >= value, "maximum": lambda v: v <= value,
                "exclusiveMinimum": lambda v: v > value, "exclusiveMaximum": lambda v: v < value,
            }
            test = compare[name]
            return lambda v: not _is_number(v) or test(v)
        if name == "required":
            needed = list(value)
            return lambda v: not isinstance(v, dict) or all(key in v for key in needed)
        if name == "properties":
            props = {key: self.compile(sub, f"{here}/{key}") for key, sub in value.items()}
            return lambda v: not isinstance(v, dict) or all(check(v[key]) for key, check in props.items() if key in v)
        if name == "patternProperties":
            patterns = [(re.compile(pattern).search, self.compile(sub, f"{here}/{pattern}")) for pattern, sub in value.items()]
            return lambda v: not isinstance(v, dict) or all(
                check(item) for key, item in v.items() for search, check in patterns if search(key))
        if name == "additionalProperties":
            known = set(schema.get("properties", {}))
            searches = [re.compile(pattern).search for pattern in schema.get("patternProperties", {})]
            extra = self.compile(value, here)
            return lambda v: not isinstance(v, dict) or all(
                extra(item) for key, item in v.items() if key not in known and not any(s(key) for s in searches))
        if name == "propertyNames":
            names = self.compile(value, here)
            return lambda v: not isinstance(v, dict) or all(names(key) for key in v)
        if name == "items":
            if "prefixItems" in schema:
                raise Unsupported(here)
            each = self.compile(value, here)
            return lambda v: not isinstance(v, list) or all(each(item) for item in v)
        if name in ("allOf", "anyOf", "oneOf"):
            parts = [self.compile(sub, f"{here}/{index}") for index, sub in enumerate(value)]
            if not parts:
                raise Unsupported(here)
            if name == "allOf":
                return lambda v: all(part(v) for part in parts)
            if name == "anyOf":
                return lambda v: any(part(v) for part in parts)
            return lambda v: sum(1 for part in parts if part(v)) == 1
        if name == "not":
            negated = self.compile(value, here)
            return lambda v: not negated(v)
        if name == "if":
            condition = self.compile(value, here)
            then = self.compile(schema["then"], f"{where}/then") if "then" in schema else None
            otherwise = self.compile(schema["else"], f"{where}/else") if "else" in schema else None
            return lambda v: (then(v) if then else True) if condition(v) else (otherwise(v) if otherwise else True)
        if name == "$ref":
            return self.reference(value)
        raise Unsupported(here)

    def reference(self, ref: str) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise Unsupported(ref)
        if ref not in self.refs:
            target: Any = self.root
            for part in [p for p in ref[1:].split("/") if p]:
                part = part.replace("~1", "/").replace("~0", "~")
                target = target[int(part)] if isinstance(target, list) else target[part]
            compiled: list[Check] = []
            # Registered before compiling so a schema that refers to itself terminates.
            self.refs[ref] = lambda v: compiled[0](v)
            compiled.append(self.compile(target, ref))
        return self.refs[ref]
