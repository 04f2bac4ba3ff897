"""A quick yes/no JSON Schema check, compiled once per schema, for the common case of a valid record.

jsonschema finds and explains every error, and takes most of the time of a cold load. Nearly every record is
valid, so `compile_schema` turns a schema into a plain function that only answers "valid?"; when it says no,
jsonschema runs as before and reports the problems. Only the keywords listed in _KEYWORDS are compiled, with the
meaning draft 2020-12 gives them; a schema using anything else is not compiled (compile_schema returns None) and
every check goes to jsonschema, so a clerk's own schema can never be checked more loosely than jsonschema would.

The function is generated as Python source (straight-line tests, loops over items and properties, set operations
for required and unknown fields) and compiled once, which is several times faster than calling a closure per
keyword. Schemas are not trusted: every value taken from one reaches the source only through repr() of a plain str,
int, bool or None, or as a named constant (regexes, sets, floats); names in the source are all made up here.
A "no" is always safe (jsonschema then decides), so anything the check cannot handle at run time answers no.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "deprecated",
                "readOnly", "writeOnly", "format", "definitions", "contentMediaType"}
_KEYWORDS = {"type", "const", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
             "exclusiveMaximum", "minItems", "maxItems", "minProperties", "maxProperties", "required", "properties",
             "patternProperties", "additionalProperties", "propertyNames", "items", "allOf", "anyOf", "oneOf", "not",
             "if", "then", "else", "$ref"}
# jsonschema switches to another draft's rules inside a (sub)schema naming that draft in $schema.
_DIALECTS = {"https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#"}
_TYPE_TESTS = {
    "string": "isinstance({0}, str)",
    "object": "isinstance({0}, dict)",
    "array": "isinstance({0}, list)",
    "boolean": "isinstance({0}, bool)",
    "null": "{0} is None",
    "number": "(isinstance({0}, (int, float)) and not isinstance({0}, bool))",
    "integer": "(isinstance({0}, int) and not isinstance({0}, bool) or isinstance({0}, float) and {0}.is_integer())",
}
# Keywords that only constrain one JSON type, and the test for that type.
_GROUPS = {
    "string": ("isinstance({0}, str)", ("pattern", "minLength", "maxLength")),
    "number": ("(isinstance({0}, (int, float)) and not isinstance({0}, bool))",
               ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")),
    "array": ("isinstance({0}, list)", ("minItems", "maxItems", "items")),
    "object": ("isinstance({0}, dict)", ("minProperties", "maxProperties", "required", "properties",
                                         "patternProperties", "additionalProperties", "propertyNames")),
}
# Failure when `instance OP limit`, exactly as jsonschema words each bound (so NaN and odd limits agree too).
_FAILS_WHEN = {"minLength": "<", "maxLength": ">", "minItems": "<", "maxItems": ">", "minProperties": "<",
               "maxProperties": ">", "minimum": "<", "maximum": ">", "exclusiveMinimum": "<=", "exclusiveMaximum": ">="}
_SIZED = {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}
_MAX_INLINE = 6  # nested blocks in one function before a sub-schema gets a function of its own
_MAX_NEST = 4  # nested sub-schemas in one expression before the same
_INDEX = re.compile(r"0|[1-9][0-9]*")


class Unsupported(Exception):
    """The schema uses something this compiler does not handle; use jsonschema for it."""


def compile_schema(schema: Any) -> Check | None:
    """A function telling whether an instance is valid against schema, or None when the schema is unsupported."""
    try:
        return _Generator(schema).build()
    except (Unsupported, re.error, TypeError, KeyError, ValueError, IndexError, RecursionError, SyntaxError,
            OverflowError, MemoryError):
        return None


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


def _equal_any(value: Any, options: tuple[Any, ...]) -> bool:
    return any(equal(value, option) for option in options)


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _text(value: Any) -> str:
    if type(value) is not str:  # a str subclass could repr() itself as anything
        raise Unsupported(f"expected text, got {type(value).__name__}")
    return value


class _Generator:
    """Python source for one schema: one function per $ref target and per sub-schema that needs its own."""

    def __init__(self, root: Any):
        self.root = root
        self.constants: dict[str, Any] = {"_M": object(), "_equal": equal, "_equal_any": _equal_any}
        self.functions: list[str] = []
        self.refs: dict[str, str] = {}
        self.patterns: dict[str, str] = {}
        # $refs entered since the check last moved into a part of the instance: meeting one again means the
        # schema refers to itself without consuming anything, which would recurse for ever.
        self.level: set[str] = set()
        self.count = 0

    def build(self) -> Check:
        body = self.block(self.root, "v", 2) or ["pass"]
        source = "\n".join([*self.functions, "def valid(v):", "    try:", *_indent(_indent(body)),
                            "    except Exception:", "        return False", "    return True", ""])
        namespace = dict(self.constants)
        exec(compile(source, "<fastschema>", "exec"), namespace)  # noqa: S102 - source built from repr() only
        check: Check = namespace["valid"]
        return check

    # names and constants

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, value: Any) -> str:
        name = self.fresh("_k")
        self.constants[name] = value
        return name

    def literal(self, value: Any) -> str:
        """Source for a value: repr() of a plain str, bool, None or small int; a named constant for anything else."""
        if type(value) is str or value is None or type(value) is bool:
            return repr(value)
        if type(value) is int and abs(value) < 2**62:
            return repr(value)
        return self.constant(value)

    def limit(self, value: Any) -> str:
        if type(value) not in (int, float):  # bool and anything odd are left to jsonschema
            raise Unsupported(f"not a number: {value!r}")
        return self.literal(value)

    def search(self, pattern: Any) -> str:
        """The name of a compiled regex's search method; pattern is an unanchored re.search, as in jsonschema."""
        pattern = _text(pattern)
        if pattern not in self.patterns:
            self.patterns[pattern] = self.constant(re.compile(pattern).search)
        return self.patterns[pattern]

    # schemas

    def keywords(self, schema: Any) -> dict[str, Any]:
        if not isinstance(schema, dict):
            raise Unsupported(f"not a schema: {schema!r}")
        unknown = set(schema) - _KEYWORDS - _ANNOTATIONS
        if unknown:
            raise Unsupported(f"keywords {sorted(map(str, unknown))}")
        if "$id" in schema and schema is not self.root:
            raise Unsupported("$id below the root")
        if "$schema" in schema and schema["$schema"] not in _DIALECTS:
            raise Unsupported("another draft")
        return schema

    def block(self, schema: Any, x: str, depth: int, known: str | None = None,
              present: frozenset[str] = frozenset()) -> list[str]:
        """Statements that return False when the value in variable x breaks schema, and fall through otherwise.

        known names the JSON type x is already known to have, or is None; present, the fields it is known to have.
        """
        if schema is True:
            return []
        if schema is False:
            return ["return False"]
        schema = self.keywords(schema)
        lines: list[str] = []
        if "type" in schema:
            types = self.types(schema["type"])
            if not _implied(known, types):
                lines.append(f"if not ({self.type_test(types, x)}): return False")
            known = _narrowed(known, types)
        for value_key in ("const", "enum"):
            if value_key in schema:
                lines.append(f"if not ({self.value_test(value_key, schema[value_key], x)}): return False")
        for group, (test, names) in _GROUPS.items():
            if not any(name in schema for name in names):
                continue
            inside = _of_group(known, group)
            group_lines = self.group_block(group, schema, x, depth + (not inside), present)
            if group_lines and not inside:
                group_lines = [f"if {test.format(x)}:", *_indent(group_lines)]
            lines += group_lines
        if known == "object":
            present = present | set(self.required(schema))
        for name in ("allOf", "anyOf", "oneOf"):
            if name in schema:
                parts = self.parts(schema[name])
                if name == "allOf":
                    for part in parts:
                        lines += self.inline(part, x, depth, known, present)
                else:
                    tests = [self.boolean(part, x, known, present) for part in parts]
                    lines.append(f"if not ({self.combine(name, parts, tests)}): return False")
        if "not" in schema:
            lines.append(f"if {self.boolean(schema['not'], x, known, present)}: return False")
        if "if" in schema:
            condition = self.boolean(schema["if"], x, known, present)
            then = self.inline(schema["then"], x, depth + 1, known, present) if "then" in schema else []
            otherwise = self.inline(schema["else"], x, depth + 1, known, present) if "else" in schema else []
            if then or otherwise:
                lines += [f"if {condition}:", *_indent(then or ["pass"])]
                if otherwise:
                    lines += ["else:", *_indent(otherwise)]
        if "$ref" in schema:
            lines.append(f"if not {self.reference(schema['$ref'])}({x}): return False")
        return lines

    def group_block(self, group: str, schema: dict[str, Any], x: str, depth: int, present: frozenset[str]) -> list[str]:
        """Statements for the keywords of one JSON type, run when x is of that type."""
        conditions = self.conditions(group, schema, x, present)
        lines = [f"if not ({condition}): return False" for condition in conditions]
        if group == "array" and "items" in schema:
            item = self.fresh("v")
            inner = self.child(schema["items"], item, depth + 1)
            if inner:
                lines += [f"for {item} in {x}:", *_indent(inner)]
        if group != "object":
            return lines
        present = present | set(self.required(schema))
        for key, sub in self.properties(schema).items():
            value = self.fresh("v")
            inner = self.child(sub, value, depth + 1)
            if not inner:
                continue
            if key in present:  # no need to look twice
                lines += [f"{value} = {x}[{repr(key)}]", *inner]
            else:
                lines += [f"if {repr(key)} in {x}:", f"    {value} = {x}[{repr(key)}]", *_indent(inner)]
        patterns = self.pattern_properties(schema)
        for pattern, sub in patterns.items():
            key, value = self.fresh("k"), self.fresh("v")
            inner = self.child(sub, value, depth + 2)
            if inner:
                lines += [f"for {key}, {value} in {x}.items():", f"    if {self.search(pattern)}({key}) is not None:",
                          *_indent(_indent(inner))]
        if "additionalProperties" in schema:
            lines += self.additional(schema, x, depth)
        if "propertyNames" in schema:
            key = self.fresh("k")
            inner = self.child(schema["propertyNames"], key, depth + 1)
            if inner:
                lines += [f"for {key} in {x}:", *_indent(inner)]
        return lines

    def additional(self, schema: dict[str, Any], x: str, depth: int) -> list[str]:
        extra = schema["additionalProperties"]
        known = self.constant(frozenset(self.properties(schema)))
        patterns = list(self.pattern_properties(schema))
        # jsonschema joins the patterns with | to find the fields they cover; do the same, odd patterns included.
        covered = self.search("|".join(patterns)) if patterns else None
        key, value = self.fresh("k"), self.fresh("v")
        if extra is False:
            if covered is None:
                return [f"if not {x}.keys() <= {known}: return False"]
            return [f"if not {x}.keys() <= {known}:", f"    for {key} in {x}.keys() - {known}:",
                    f"        if {covered}({key}) is None: return False"]
        inner = self.child(extra, value, depth + 1)
        if not inner:
            return []
        skip = [f"    if {covered}({key}) is not None: continue"] if covered else []
        return [f"for {key} in {x}.keys() - {known}:", *skip, f"    {value} = {x}[{key}]", *_indent(inner)]

    def child(self, sub: Any, x: str, depth: int) -> list[str]:
        """Statements for a sub-schema applying to a part of the instance (a property, an item, a name)."""
        level, self.level = self.level, set()
        try:
            return self.inline(sub, x, depth)
        finally:
            self.level = level

    def inline(self, sub: Any, x: str, depth: int, known: str | None = None,
               present: frozenset[str] = frozenset()) -> list[str]:
        if depth > _MAX_INLINE:
            return [f"if not {self.function(sub, known, present)}({x}): return False"]
        return self.block(sub, x, depth, known, present)

    def function(self, schema: Any, known: str | None = None, present: frozenset[str] = frozenset()) -> str:
        """A function of its own for a sub-schema, called only where x is of type known and has the present fields."""
        name = self.fresh("_f")
        body = self.block(schema, "v", 0, known, present)
        self.functions.append("\n".join([f"def {name}(v):", *_indent(body), "    return True"]))
        return name

    def reference(self, ref: Any) -> str:
        ref = _text(ref)
        if ref in self.refs:
            if ref in self.level:
                raise Unsupported(f"{ref} refers to itself without descending into the instance")
            return self.refs[ref]
        name = self.refs[ref] = self.fresh("_r")  # registered first, so a schema that refers to itself terminates
        self.level.add(ref)
        body = self.block(self.resolve(ref), "v", 0)
        self.level.discard(ref)
        self.functions.append("\n".join([f"def {name}(v):", *_indent(body), "    return True"]))
        return name

    def resolve(self, ref: str) -> Any:
        """The sub-schema a same-document JSON pointer names; anything else ($anchor, URIs) is unsupported."""
        if ref == "#":
            return self.root
        if not ref.startswith("#/") or "%" in ref:
            raise Unsupported(ref)
        target = self.root
        for part in ref[2:].split("/"):
            if isinstance(target, dict) and target is not self.root and "$id" in target:
                raise Unsupported(f"{ref} passes through another resource")
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, list):
                if not _INDEX.fullmatch(part):
                    raise Unsupported(ref)
                target = target[int(part)]
            elif isinstance(target, dict):
                target = target[part]
            else:
                raise Unsupported(ref)
        return target

    # expressions, for sub-schemas whose answer is needed as a value (anyOf, oneOf, not, if)

    def boolean(self, schema: Any, x: str, known: str | None, present: frozenset[str]) -> str:
        expression = self.expression(schema, x, 0, known, present)
        return expression if expression is not None else f"{self.function(schema, known, present)}({x})"

    def expression(self, schema: Any, x: str, nest: int, known: str | None = None,
                   present: frozenset[str] = frozenset()) -> str | None:
        """One boolean expression for schema when it needs no loop, else None (the caller makes a function)."""
        if schema is True or schema is False:
            return repr(schema)
        schema = self.keywords(schema)
        if nest > _MAX_NEST or any(name in schema for name in ("items", "patternProperties", "propertyNames")):
            return None
        extra = schema.get("additionalProperties", True)
        if not (extra is True or extra is False and "patternProperties" not in schema or extra == {}):
            return None
        terms: list[str] = []
        if "type" in schema:
            types = self.types(schema["type"])
            if not _implied(known, types):
                terms.append(f"({self.type_test(types, x)})")
            known = _narrowed(known, types)
        for value_key in ("const", "enum"):
            if value_key in schema:
                terms.append(f"({self.value_test(value_key, schema[value_key], x)})")
        for group, (test, names) in _GROUPS.items():
            if not any(name in schema for name in names):
                continue
            conditions = self.conditions(group, schema, x, present)
            if group == "object":
                if extra is False:
                    conditions.append(f"{x}.keys() <= {self.constant(frozenset(self.properties(schema)))}")
                if _of_group(known, group):
                    present = present | set(self.required(schema))
                for key, sub in self.properties(schema).items():
                    value = self.fresh("v")
                    level, self.level = self.level, set()
                    try:
                        inner = self.expression(sub, value, nest + 1)
                    finally:
                        self.level = level
                    if inner is None:
                        return None
                    if inner != "True" and key in present:
                        conditions.append(f"({value} := {x}[{repr(key)}]) is not _M and ({inner})")
                    elif inner != "True":
                        conditions.append(f"({value} := {x}.get({repr(key)}, _M)) is _M or ({inner})")
            if conditions:
                joined = " and ".join(f"({condition})" for condition in conditions)
                terms.append(f"({joined})" if _of_group(known, group) else f"(not {test.format(x)} or ({joined}))")
        for name in ("allOf", "anyOf", "oneOf"):
            if name in schema:
                parts = self.parts(schema[name])
                tests = [self.expression(part, x, nest + 1, known, present) for part in parts]
                if any(test is None for test in tests):
                    return None
                terms.append(f"({self.combine(name, parts, tests)})")  # type: ignore[arg-type]
        if "not" in schema:
            negated = self.expression(schema["not"], x, nest + 1, known, present)
            if negated is None:
                return None
            terms.append(f"(not ({negated}))")
        if "if" in schema:
            condition = self.expression(schema["if"], x, nest + 1, known, present)
            then = self.expression(schema["then"], x, nest + 1, known, present) if "then" in schema else "True"
            otherwise = self.expression(schema["else"], x, nest + 1, known, present) if "else" in schema else "True"
            if condition is None or then is None or otherwise is None:
                return None
            terms.append(f"(({then}) if ({condition}) else ({otherwise}))")
        if "$ref" in schema:
            terms.append(f"{self.reference(schema['$ref'])}({x})")
        return " and ".join(terms) if terms else "True"

    # single keywords

    def types(self, value: Any) -> list[str]:
        types = [value] if isinstance(value, str) else value
        if not isinstance(types, list) or any(type(kind) is not str or kind not in _TYPE_TESTS for kind in types):
            raise Unsupported(f"type {value!r}")
        return types

    def type_test(self, types: list[str], x: str) -> str:
        return " or ".join(f"({_TYPE_TESTS[kind].format(x)})" for kind in types) or "False"

    def value_test(self, keyword: str, value: Any, x: str) -> str:
        options = [value] if keyword == "const" else value
        if not isinstance(options, list):
            raise Unsupported(f"enum {value!r}")
        if not options:
            return "False"
        if all(type(option) is str for option in options):
            if len(options) == 1:
                return f"isinstance({x}, str) and {x} == {repr(options[0])}"
            return f"isinstance({x}, str) and {x} in {self.constant(frozenset(options))}"
        if all(option is None or type(option) is bool for option in options):
            return " or ".join(f"{x} is {repr(option)}" for option in options)
        return f"_equal_any({x}, {self.constant(tuple(options))})"

    def conditions(self, group: str, schema: dict[str, Any], x: str, present: frozenset[str]) -> list[str]:
        """What must hold of x, known to be of the group's type, for the group's bounds, pattern and required."""
        conditions = []
        for name in _GROUPS[group][1]:
            if name in _FAILS_WHEN and name in schema:
                measured = f"len({x})" if name in _SIZED else x
                conditions.append(f"not {measured} {_FAILS_WHEN[name]} {self.limit(schema[name])}")
        if group == "string" and "pattern" in schema:
            conditions.append(f"{self.search(schema['pattern'])}({x}) is not None")
        if group == "object" and "required" in schema:
            required = [name for name in self.required(schema) if name not in present]
            if len(required) == 1:
                conditions.append(f"{repr(required[0])} in {x}")
            elif required:
                conditions.append(f"{x}.keys() >= {self.constant(frozenset(required))}")
        return conditions

    def required(self, schema: dict[str, Any]) -> list[str]:
        value = schema.get("required", [])
        if not isinstance(value, list):
            raise Unsupported("required")
        return [_text(name) for name in value]

    def properties(self, schema: dict[str, Any]) -> dict[str, Any]:
        value = schema.get("properties", {})
        if not isinstance(value, dict):
            raise Unsupported("properties")
        return {_text(key): sub for key, sub in value.items()}

    def pattern_properties(self, schema: dict[str, Any]) -> dict[str, Any]:
        value = schema.get("patternProperties", {})
        if not isinstance(value, dict):
            raise Unsupported("patternProperties")
        for pattern in value:
            self.search(pattern)  # a bad regex makes the schema unsupported even where its sub-schema is empty
        return value

    def parts(self, value: Any) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise Unsupported("allOf/anyOf/oneOf")
        return value

    @staticmethod
    def combine(name: str, parts: list[Any], tests: list[str]) -> str:
        if name == "allOf":
            return " and ".join(f"({test})" for test in tests)
        if name == "anyOf" or _exclusive(parts):
            return " or ".join(f"({test})" for test in tests)
        return " + ".join(f"(1 if ({test}) else 0)" for test in tests) + " == 1"


def _implied(known: str | None, types: list[str]) -> bool:
    """Whether a value known to be of type known passes the type test for types."""
    return known is not None and (known in types or known == "integer" and "number" in types)


def _of_group(known: str | None, group: str) -> bool:
    return known == group or known == "integer" and group == "number"


def _narrowed(known: str | None, types: list[str]) -> str | None:
    if len(types) == 1 and not _implied(known, types):
        return types[0]
    return known


def _exclusive(parts: list[Any]) -> bool:
    """Whether no value can pass two of the sub-schemas, by their types alone: then oneOf is anyOf."""
    seen: set[str] = set()
    for part in parts:
        types = part.get("type") if isinstance(part, dict) else None
        types = [types] if isinstance(types, str) else types
        if not isinstance(types, list) or any(kind not in _TYPE_TESTS for kind in types):
            return False
        kinds = {"number" if kind == "integer" else kind for kind in types}
        if kinds & seen:
            return False
        seen |= kinds
    return True
