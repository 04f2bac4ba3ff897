"""Indented JSON text, several times faster than the standard library's for large outputs.

`json.dumps(data, indent=2, ensure_ascii=False)` falls back to the pure-Python encoder whenever an indent is
asked for; `dumps` gives exactly the same text using the C string escaper, and writes each mapping through one
format string made once for every set of keys it meets (the thousands of rows of a listing share a handful).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any


def dumps(data: Any) -> str:
    """The same text as json.dumps(data, indent=2, ensure_ascii=False)."""
    return _text(data, "\n", {})


def _text(value: Any, newline: str, templates: dict[tuple[Any, ...], str]) -> str:
    """The JSON text of value, whose lines after the first are indented by newline; templates holds the format
    strings made so far, by the newline and keys of a mapping."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is dict or (kind is not list and isinstance(value, dict)):
        return _mapping(value, newline, templates)
    if kind is list or kind is tuple or isinstance(value, (list, tuple)):
        return _sequence(value, newline, templates)
    return _other(value, newline)


def _mapping(value: dict[Any, Any], newline: str, templates: dict[tuple[Any, ...], str]) -> str:
    """The JSON object text of a mapping, through the format string kept for its keys at this indent."""
    if not value:
        return "{}"
    inner = newline + "  "
    shape = (newline, *value)
    template = templates.get(shape)
    if template is None:
        template = _template(value, newline, inner)
        if all(type(key) is str for key in value):
            # Keys of other types may equal one another (1, 1.0 and True) while written differently.
            templates[shape] = template
    # Plain strings, None and whole numbers, most of the values, are written here rather than in a call of
    # their own.
    return template % tuple([
        encode_basestring(item) if type(item) is str else "null" if item is None
        else int.__repr__(item) if type(item) is int else _text(item, inner, templates)
        for item in value.values()
    ])


def _sequence(value: list[Any] | tuple[Any, ...], newline: str, templates: dict[tuple[Any, ...], str]) -> str:
    """The JSON array text of a list or tuple."""
    if not value:
        return "[]"
    inner = newline + "  "
    return "[" + inner + ("," + inner).join([
        encode_basestring(item) if type(item) is str else _text(item, inner, templates) for item in value
    ]) + newline + "]"


def _other(value: Any, newline: str) -> str:
    """The JSON text of a subclass of str or int, a float, or whatever the standard encoder makes of the rest."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    # Whatever the standard encoder makes of it (normally a TypeError naming the type).
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline)


def _template(mapping: dict[Any, Any], newline: str, inner: str) -> str:
    """A format string writing a mapping with these keys at this indent, given the text of each value."""
    keys = [encode_basestring(key if type(key) is str else _key(key)).replace("%", "%%") for key in mapping]
    return "{" + inner + ("," + inner).join(key + ": %s" for key in keys) + newline + "}"


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return _float(key)
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
