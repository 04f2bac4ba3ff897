"""Indented JSON text, several times faster than the standard library's for large outputs.

`json.dumps(data, indent=2, ensure_ascii=False)` falls back to the pure-Python encoder whenever an indent is
asked for; `dumps` gives exactly the same text using the C string escaper, which matters for thousands of rows.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any


def dumps(data: Any) -> str:
    """The same text as json.dumps(data, indent=2, ensure_ascii=False)."""
    out: list[str] = []
    _emit(data, out, "\n")
    return "".join(out)


def _emit(value: Any, out: list[str], newline: str) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        append = out.append
        for key, item in value.items():
            append(separator)
            append(encode_basestring(key if type(key) is str else _key(key)))
            # Plain strings and None, most of the values, are written here rather than in a call of their own.
            if type(item) is str:
                append(": " + encode_basestring(item))
            elif item is None:
                append(": null")
            else:
                append(": ")
                _emit(item, out, inner)
            separator = "," + inner
        append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        append = out.append
        for item in value:
            if type(item) is str:
                append(separator + encode_basestring(item))
            else:
                append(separator)
                _emit(item, out, inner)
            separator = "," + inner
        append(newline + "]")
    else:
        # Whatever the standard encoder makes of it (normally a TypeError naming the type).
        out.append(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline))


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
