"""A fast reader for the block-style YAML that record files are written in.

`parse(text)` handles the plain subset records use: a top-level block mapping of plain keys; nested block mappings
and sequences; plain, single-quoted and simple double-quoted one-line scalars; the empty flow collections `[]` and
`{}`; literal and folded block scalars (`|`, `|-`, `>`, `>-`) without more-indented lines; comments and blank lines.
For such a document it returns exactly what `yamlio.load_text` returns (the same YAML 1.1 typing: str, int, bool,
None, dates as ISO strings). For anything else, including everything the full loader refuses, it returns None and
the caller uses the full loader, which also gives the located error messages. It never raises.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

# Records nest three or four levels (history[2].note); deeper documents go to the full loader, which enforces its
# own limit with a located message.
MAX_DEPTH = 12

_TAG = "tag:yaml.org,2002:"
# Characters the YAML reader refuses (tab and carriage return included: the full loader deals with them), plus
# the YAML 1.1 line breaks NEL, LS and PS and the byte-order mark, which this reader does not treat specially.
_BAD = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,99}):(?: +|$)")
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_TAIL = re.compile(r"(?: +#.*| *)")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A plain scalar may not start with an indicator character (`-` is allowed before a non-space, as in -5).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_BLOCK_HEADERS = {"|": (False, True), "|-": (False, False), ">": (True, True), ">-": (True, False)}

_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    first: [(tag, regexp) for tag, regexp in pairs]
    for first, pairs in Resolver.yaml_implicit_resolvers.items()
    if first is not None
}
_ANY_FIRST = list(Resolver.yaml_implicit_resolvers.get(None, []))  # type: ignore[call-overload]
_BOOLS = SafeConstructor.bool_values

_CACHE_LIMIT = 20_000
_short_values: dict[str, Any] = {}
_keys: dict[str, bool] = {}


class _Refused(Exception):
    """The document is outside the subset; the full loader must read it."""


_REFUSED = _Refused()


def parse(text: str) -> Any | None:
    """The document's data exactly as the full loader builds it, or None when this reader is not certain."""
    try:
        if not isinstance(text, str) or _BAD.search(text):
            return None
        return _Reader(text).document()
    except _Refused:
        return None
    except Exception:  # noqa: BLE001 - a reader that is not sure defers to the full loader, never fails
        return None


def _tag(value: str) -> str:
    for tag, regexp in _RESOLVERS.get(value[:1], ()) or ():
        if regexp.match(value):
            return tag
    for tag, regexp in _ANY_FIRST:
        if regexp.match(value):
            return tag
    return _TAG + "str"


def _plain(value: str) -> Any:
    """A one-line plain scalar (stripped, non-empty) typed as the YAML 1.1 resolver types it."""
    if value[0] in _INDICATORS and (value[0] != "-" or len(value) == 1 or value[1] in " -"):
        raise _REFUSED
    if ": " in value or value[-1] == ":":
        raise _REFUSED
    short = len(value) <= 24
    if short:
        try:
            return _short_values[value]
        except KeyError:
            pass
    tag = _tag(value)
    if tag == _TAG + "str":
        result: Any = value
    elif tag == _TAG + "bool":
        result = _BOOLS[value.lower()]
    elif tag == _TAG + "null":
        result = None
    elif tag == _TAG + "int" and _INT.fullmatch(value):
        result = int(value)
    elif tag == _TAG + "timestamp" and _DATE.fullmatch(value):
        result = dt.date(int(value[:4]), int(value[5:7]), int(value[8:])).isoformat()
    else:
        raise _REFUSED
    if short:
        if len(_short_values) >= _CACHE_LIMIT:
            _short_values.clear()
        _short_values[value] = result
    return result


def _key_ok(key: str) -> bool:
    try:
        return _keys[key]
    except KeyError:
        ok = _tag(key) == _TAG + "str"
        if len(_keys) < _CACHE_LIMIT:
            _keys[key] = ok
        return ok


def _is_entry(content: str) -> bool:
    """Whether a line's content (after its indentation) starts a block sequence entry."""
    return content[:1] == "-" and (len(content) == 1 or content[1] == " ")


class _Reader:
    __slots__ = ("lines", "text", "indents", "count")

    def __init__(self, text: str):
        self.lines = text.split("\n")
        # Each line's content after its indentation, and the indentation; changed in place for compact
        # collections inside sequence entries (`- key: value`), whose content starts further right.
        self.text = [line.lstrip(" ") for line in self.lines]
        self.indents = [len(line) - len(content) for line, content in zip(self.lines, self.text, strict=True)]
        self.count = len(self.lines)

    def skip(self, i: int) -> int:
        """The index of the first line from i on that holds content (not blank, not a comment), or count."""
        text = self.text
        count = self.count
        while i < count:
            content = text[i]
            if content and content[0] != "#":
                return i
            i += 1
        return i

    def document(self) -> Any:
        i = self.skip(0)
        if i == self.count or self.indents[i] != 0 or _is_entry(self.text[i]):
            raise _REFUSED
        value, i = self.mapping(i, 0, 1)
        if i != self.count:
            raise _REFUSED
        return value

    def block(self, i: int, indent: int, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise _REFUSED
        if _is_entry(self.text[i]):
            return self.sequence(i, indent, depth)
        return self.mapping(i, indent, depth)

    def mapping(self, i: int, indent: int, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        text = self.text
        indents = self.indents
        count = self.count
        match = _KEY.match
        while True:
            found = match(text[i])
            if found is None:
                raise _REFUSED
            key = found.group(1)
            if key in result or not _key_ok(key):
                raise _REFUSED
            result[key], i = self.value(text[i][found.end():], i, indent, depth, True)
            if i == count or indents[i] < indent:
                return result, i
            if indents[i] > indent:
                raise _REFUSED

    def sequence(self, i: int, indent: int, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        text = self.text
        indents = self.indents
        count = self.count
        while True:
            content = text[i]
            if not _is_entry(content):
                # A key at the indentation of an indentless sequence belongs to the mapping above; anything
                # else is refused by the caller.
                return result, i
            rest = content[1:].lstrip(" ")
            if rest and rest[0] != "#" and (_KEY.match(rest) or _is_entry(rest)):
                column = indent + len(content) - len(rest)
                text[i] = rest
                indents[i] = column
                item, i = self.block(i, column, depth + 1)
            else:
                item, i = self.value(rest, i, indent, depth, False)
            result.append(item)
            if i == count or indents[i] < indent:
                return result, i
            if indents[i] > indent:
                raise _REFUSED

    def value(self, rest: str, i: int, indent: int, depth: int, in_mapping: bool) -> tuple[Any, int]:
        """The value whose text starts with rest on line i, inside a collection at indent; and the next line."""
        if not rest or rest[0] == "#":
            following = self.skip(i + 1)
            if following < self.count:
                nested = self.indents[following]
                if nested > indent:
                    return self.block(following, nested, depth + 1)
                if nested == indent and in_mapping and _is_entry(self.text[following]):
                    return self.sequence(following, indent, depth + 1)
            return None, following
        first = rest[0]
        if first == "|" or first == ">":
            return self.block_scalar(rest, i, indent)
        if first == "[" or first == "{":
            # Only the empty flow collections (`history: []`); anything else in flow style is refused.
            if rest[1:2] != ("]" if first == "[" else "}") or not _TAIL.fullmatch(rest, 2):
                raise _REFUSED
            return ([] if first == "[" else {}), self.skip(i + 1)
        if first == "'":
            found = _SINGLE.match(rest)
            if found is None or not _TAIL.fullmatch(rest, found.end()):
                raise _REFUSED
            return found.group(1).replace("''", "'"), self.skip(i + 1)
        if first == '"':
            found = _DOUBLE.match(rest)
            if found is None or not _TAIL.fullmatch(rest, found.end()):
                raise _REFUSED
            return found.group(1), self.skip(i + 1)
        comment = rest.find(" #")
        if comment >= 0:
            rest = rest[:comment]
        return _plain(rest.rstrip(" ")), self.skip(i + 1)

    def block_scalar(self, header: str, i: int, parent: int) -> tuple[str, int]:
        try:
            folded, clip = _BLOCK_HEADERS[header.rstrip(" ")]
        except KeyError:
            raise _REFUSED from None
        lines = self.lines
        text = self.text
        indents = self.indents
        count = self.count
        i += 1
        if i >= count or not text[i]:
            raise _REFUSED  # leading blank lines, or an empty scalar: rare, and subtle
        indent = indents[i]
        if indent <= parent:
            raise _REFUSED
        parts = [text[i]]
        blanks = 0
        last = i
        i += 1
        while i < count:
            content = text[i]
            if not content:
                if len(lines[i]) > indent:
                    raise _REFUSED  # spaces beyond the indentation are content
                blanks += 1
                i += 1
                continue
            more = indents[i] - indent
            if more < 0:
                break
            if more:
                if folded:
                    raise _REFUSED  # more-indented lines are not folded
                content = lines[i][indent:]
            if folded:
                parts.append("\n" * blanks if blanks else " ")
            else:
                parts.append("\n" * (blanks + 1))
            parts.append(content)
            blanks = 0
            last = i
            i += 1
        if clip and last < count - 1:
            parts.append("\n")
        return "".join(parts), self.skip(i)
