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
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,99}):(?: +|$)(.*)")
# A one-line quoted scalar and what may follow it on its line (nothing, or a comment after a space).
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?: +#.*| *)")
_DOUBLE = re.compile(r'"([^"\\]*)"(?: +#.*| *)')
_TAIL = re.compile(r"(?: +#.*| *)")
_EMPTY_FLOW = {"[]": list, "{}": dict}
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
_ANY_FIRST: list[tuple[str, re.Pattern[str]]] = list(Resolver.yaml_implicit_resolvers.get(None, []))
_BOOLS = SafeConstructor.bool_values

_CACHE_LIMIT = 20_000
_MISS = object()
# One-line scalars seen before (the text after `key: ` or `- `, comment included) and their immutable values:
# statuses, dates, names and numbers repeat across records.
_scalars: dict[str, Any] = {}
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


def _scalar(rest: str) -> Any:
    """A one-line scalar from the text after `key: ` or `- ` (non-empty, not starting with a space, `#`, `|`, `>`,
    `[` or `{`)."""
    first = rest[0]
    if first == '"':
        found = _DOUBLE.fullmatch(rest)
        if found is None:
            raise _REFUSED
        value = found.group(1)
    elif first == "'":
        found = _SINGLE.fullmatch(rest)
        if found is None:
            raise _REFUSED
        value = found.group(1).replace("''", "'")
    else:
        comment = rest.find(" #")
        value = _plain((rest[:comment] if comment >= 0 else rest).rstrip(" "))
    if len(rest) <= 40:
        if len(_scalars) >= _CACHE_LIMIT:
            _scalars.clear()
        _scalars[rest] = value
    return value


def _plain(value: str) -> Any:
    """A one-line plain scalar (stripped, non-empty) typed as the YAML 1.1 resolver types it."""
    if value[0] in _INDICATORS and (value[0] != "-" or len(value) == 1 or value[1] in " -"):
        raise _REFUSED
    if ": " in value or value[-1] == ":":
        raise _REFUSED
    tag = _tag(value)
    if tag == _TAG + "str":
        return value
    if tag == _TAG + "bool":
        return _BOOLS[value.lower()]
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "int" and _INT.fullmatch(value):
        return int(value)
    if tag == _TAG + "timestamp" and _DATE.fullmatch(value):
        return dt.date(int(value[:4]), int(value[5:7]), int(value[8:])).isoformat()
    raise _REFUSED


def _key_ok(key: str) -> bool:
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
        known = _keys.get
        cached = _scalars.get
        while True:
            found = match(text[i])
            if found is None:
                raise _REFUSED
            key, rest = found.groups()
            if key in result or not (known(key) or _key_ok(key)):
                raise _REFUSED
            if not rest:
                result[key], i = self.nested(i, indent, depth, True)
            else:
                value = cached(rest, _MISS)
                if value is not _MISS:
                    i += 1
                elif rest[0] in "#|>[{":
                    value, i = self.special(rest, i, indent, depth, True)
                else:
                    value = _scalar(rest)
                    i += 1
                result[key] = value
            if i < count:
                content = text[i]
                if not content or content[0] == "#":
                    i = self.skip(i)
            if i == count or indents[i] < indent:
                return result, i
            if indents[i] > indent:
                raise _REFUSED

    def sequence(self, i: int, indent: int, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        text = self.text
        indents = self.indents
        count = self.count
        cached = _scalars.get
        while True:
            content = text[i]
            if content[:2] == "- ":
                rest = content[2:].lstrip(" ")
            elif content == "-":
                rest = ""
            else:
                # A key at the indentation of an indentless sequence belongs to the mapping above; anything
                # else is refused by the caller.
                return result, i
            if not rest:
                value, i = self.nested(i, indent, depth, False)
            else:
                value = cached(rest, _MISS)
                if value is not _MISS:
                    i += 1
                elif rest[0] in "#|>[{":
                    value, i = self.special(rest, i, indent, depth, False)
                elif _KEY.match(rest) or _is_entry(rest):
                    # A compact collection (`- key: value`, `- - item`): its lines line up with its first.
                    column = indent + len(content) - len(rest)
                    text[i] = rest
                    indents[i] = column
                    value, i = self.block(i, column, depth + 1)
                else:
                    value = _scalar(rest)
                    i += 1
            result.append(value)
            if i < count:
                content = text[i]
                if not content or content[0] == "#":
                    i = self.skip(i)
            if i == count or indents[i] < indent:
                return result, i
            if indents[i] > indent:
                raise _REFUSED

    def nested(self, i: int, indent: int, depth: int, in_mapping: bool) -> tuple[Any, int]:
        """The value of a key or entry with nothing after it on line i: a collection on the lines below, or null."""
        following = self.skip(i + 1)
        if following < self.count:
            column = self.indents[following]
            if column > indent:
                return self.block(following, column, depth + 1)
            if column == indent and in_mapping and _is_entry(self.text[following]):
                return self.sequence(following, indent, depth + 1)
        return None, following

    def special(self, rest: str, i: int, indent: int, depth: int, in_mapping: bool) -> tuple[Any, int]:
        """A value starting with a comment, a block scalar header or a flow collection."""
        first = rest[0]
        if first == "#":
            return self.nested(i, indent, depth, in_mapping)
        if first == "|" or first == ">":
            return self.block_scalar(rest, i, indent)
        # Only the empty flow collections (`history: []`); anything else in flow style is refused.
        empty = _EMPTY_FLOW.get(rest[:2])
        if empty is None or not _TAIL.fullmatch(rest, 2):
            raise _REFUSED
        return empty(), i + 1

    def block_scalar(self, header: str, i: int, parent: int) -> tuple[str, int]:
        try:
            folded, clip = _BLOCK_HEADERS[header.rstrip(" ")]
        except KeyError:
            raise _REFUSED from None
        lines = self.lines
        text = self.text
        count = self.count
        i += 1
        if i >= count or not text[i]:
            raise _REFUSED  # leading blank lines, or an empty scalar: rare, and subtle
        indent = self.indents[i]
        if indent <= parent:
            raise _REFUSED
        pad = " " * indent
        parts = [text[i]]
        blanks = 0
        last = i
        i += 1
        while i < count:
            line = lines[i]
            if line.startswith(pad):
                content = line[indent:]
                if not content:
                    blanks += 1
                    i += 1
                    continue
                if content[0] == " " and (folded or not content.strip(" ")):
                    # A folded scalar keeps more-indented lines apart; spaces alone beyond the indentation are
                    # content. Both are left to the full loader.
                    raise _REFUSED
                if folded:
                    parts.append("\n" * blanks if blanks else " ")
                else:
                    parts.append("\n" * (blanks + 1))
                parts.append(content)
                blanks = 0
                last = i
            elif text[i]:
                break
            else:
                blanks += 1
            i += 1
        if clip and last < count - 1:
            parts.append("\n")
        return "".join(parts), i
