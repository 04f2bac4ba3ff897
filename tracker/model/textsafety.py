"""Characters no record should carry, how validation names them, and how outputs neutralise any that slip through.

A record is text for people: tabs and line breaks are all the layout it needs. Every other control character (C0,
DEL and C1) is refused by validation, and every output still escapes or strips them itself, so a record that never
went through validation cannot break a terminal, an XML feed or a calendar either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# C0 controls but tab and line feed, DEL, and the C1 controls (U+009B is a terminal's CSI on its own).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Line breaks a single-line field must not hold, whatever a reader counts as one.
LINE_BREAK = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")
# What XML 1.0 cannot carry at all (even as a character reference): C0 controls but tab, LF and CR, lone surrogates
# and U+FFFE/U+FFFF. The C1 controls are allowed but discouraged; they are replaced too, as nothing legitimate
# needs them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def code_point(char: str) -> str:
    """U+001B for ESC: how a message names a character that cannot be shown."""
    return f"U+{ord(char):04X}"


def text_problems(data: Any, single_line: frozenset[str]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(field path, message) for every string of data holding a control character, and for every string of a
    single-line field (named by its last key; custom x- fields are free text) holding a line break."""
    yield from _walk(data, (), "", single_line)


def _walk(data: Any, path: tuple[str | int, ...], name: str, single_line: frozenset[str],
          ) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(data, str):
        one_line = name in single_line
        found = sorted({code_point(c) for c in CONTROL.findall(data) if not (one_line and LINE_BREAK.match(c))})
        if found:
            plural = "s" if len(found) > 1 else ""
            yield path, f"control character{plural} {', '.join(found)} not allowed (remove {'them' if plural else 'it'})"
        if one_line and LINE_BREAK.search(data):
            breaks = sorted({code_point(c) for c in LINE_BREAK.findall(data)})
            yield path, f"a line break ({', '.join(breaks)}) is not allowed in this field: write it on one line"
    elif isinstance(data, dict):
        for key, value in data.items():
            # Below a custom field, names are the clerk's own: none of them is a single-line field of the schema.
            inner = "x-" if name == "x-" or str(key).startswith("x-") else str(key)
            yield from _walk(value, (*path, key), inner, single_line)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*path, index), name, single_line)


def visible(text: str) -> str:
    """Text for a terminal: every control character but tab and line feed shown as a harmless \\x1b-style escape,
    so a record can never move the cursor, recolour the screen, retitle the window or ring the bell."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text) if CONTROL.search(text) else text


def for_xml(text: str) -> str:
    """Text XML 1.0 can carry: characters it cannot are replaced with U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)


def without_controls(text: str) -> str:
    """Text with every control character but tab and line feed replaced with U+FFFD (for iCalendar and the like)."""
    return CONTROL.sub(REPLACEMENT, text)
