"""Recommendation numbers as reports print them (5, 5a, "5(b)") and the one natural order of numbers, items and IDs."""

from __future__ import annotations

import re
from functools import lru_cache

NUMBER = re.compile(r"^[1-9][0-9]*[a-z]?$")
# How clerks write a lettered number: 5a, 5A, 5(b), 5 (b), 5.b
_WRITTEN_NUMBER = re.compile(r"^([1-9][0-9]*)\s*(?:\(?\s*([a-zA-Z])\s*\)?|\.([a-zA-Z]))?$")
_DIGITS = re.compile(r"(\d+)")

Number = int | str  # a recommendation's number: 5 (an int), or "5a" for a lettered one


def parse_number(text: object) -> Number:
    """A recommendation number as written ("5", "5a", "5(b)") → 5 or "5b"; ValueError when it is not one."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text >= 1:
            return text
        raise ValueError(f"{text!r} is not a recommendation number: numbers start at 1")
    match = _WRITTEN_NUMBER.match(str(text).strip())
    if not match:
        raise ValueError(f"{str(text)!r} is not a recommendation number: write 5, or 5a (or 5(a)) for a lettered one")
    letter = (match.group(2) or match.group(3) or "").lower()
    return f"{match.group(1)}{letter}" if letter else int(match.group(1))


def number_value(value: Number) -> Number:
    """A number as a record holds it, read back: "5" (quoted in YAML) is 5; "5a" stays as it is."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


@lru_cache(maxsize=65536)
def natural_key(text: str) -> tuple[str | int, ...]:
    """The one sort order for numbers, items and IDs people read: 2 before 10, 5 before 5a before 6, r2 before r11.

    Runs of digits compare as numbers, the rest as text (case ignored); the parts alternate text, number, text, …
    so any two keys compare."""
    parts = _DIGITS.split(text.casefold())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def number_key(number: Number) -> tuple[str | int, ...]:
    """natural_key for a recommendation number (5, "5a")."""
    return natural_key(str(number))
