"""Markdown that survives being put in a table cell, whatever the text holds."""

from __future__ import annotations

import html
import re

_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")


def cell(text: str) -> str:
    """One table cell: HTML escaped, pipes escaped, paragraphs joined with <br>, bullet lists as an HTML list.

    The result is a single line, so no text can end the row or the table early.
    """
    blocks: list[str] = []
    items: list[str] = []
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(" ".join(paragraph))
            paragraph.clear()

    def flush_items() -> None:
        if items:
            blocks.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
            items.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _inline(raw.strip())
        bullet = _BULLET.match(raw)
        if bullet:
            flush_paragraph()
            items.append(_inline(bullet.group(1).strip()))
        elif not line:
            flush_paragraph()
            flush_items()
        else:
            flush_items()
            paragraph.append(line)
    flush_paragraph()
    flush_items()
    return "<br>".join(blocks)


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=False)
    # A backslash before the pipe keeps it inside the cell in every common Markdown table dialect.
    return escaped.replace("\\", "\\\\").replace("|", "\\|")


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A pipe table whose cells have all been made safe."""
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines.extend("| " + " | ".join(cell(value) for value in values) + " |" for values in rows)
    return "\n".join(lines) + "\n"
