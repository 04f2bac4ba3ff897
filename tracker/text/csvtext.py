"""CSV as spreadsheets read it, written one way for every command: a header row, CRLF line ends, UTF-8 (with a
byte order mark when asked, so Excel on Windows reads it as UTF-8), and no cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

BOM = "\ufeff"
# Text starting with these is run as a formula by spreadsheet programs (CSV injection); a leading apostrophe makes
# it text, and `tracker import csv` takes it off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """One cell: nothing for None, true/false for flags, lists joined with "; ", text guarded against formulas.

    Numbers stay as written (-3 is a number, not a formula); only text is guarded.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        value = "; ".join("" if v is None else str(v) for v in value)
    text = str(value)
    return "'" + text if _looks_guarded_or_formula(text) else text


def unguard(text: str) -> str:
    """A cell as it was before cell_text guarded it (what `tracker import csv` reads back)."""
    return text[1:] if text.startswith("'") and _looks_guarded_or_formula(text[1:]) else text


def _looks_guarded_or_formula(text: str) -> bool:
    # Text that already starts with apostrophes before a formula character is guarded once more, so reading it
    # back gives it exactly as it was.
    return text.lstrip("'").startswith(FORMULA_START)


def to_csv(rows: Iterable[Mapping[str, Any]], columns: list[str], *, headers: list[str] | None = None,
           bom: bool = False) -> str:
    """The rows' values for the columns (missing keys left empty) under a header row (the column names unless
    headers are given)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell_text(h) for h in headers or columns])
    for row in rows:
        writer.writerow([cell_text(row.get(column)) for column in columns])
    return (BOM if bom else "") + buffer.getvalue()
