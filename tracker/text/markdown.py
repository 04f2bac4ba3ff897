"""Markdown that survives being put in a table cell or a page, whatever the text holds.

Record text is Markdown written by clerks, so emphasis and lists are honoured; raw HTML is not: it is escaped, so a
record can never inject markup (or a script) into a published page.
"""

from __future__ import annotations

import re

_BULLET = re.compile(r"^\s*(?:[-*+•])\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
# An ampersand only needs escaping where it would start an entity; "Q&A" stays as written.
_ENTITY_START = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# A run of backslashes right before a pipe or backtick, or at the very end of a line, would swallow the character
# after it.
_BACKSLASHES_BEFORE_PIPE = re.compile(r"(\\+)(?=[|`])")
_TRAILING_BACKSLASHES = re.compile(r"(\\+)$")
_WHITESPACE = re.compile(r"\s+")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")


def escape_html(text: str) -> str:
    """Text with every HTML tag and entity neutralised, and nothing else changed."""
    return _ENTITY_START.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def lines_of(text: str) -> list[str]:
    """The lines of text, split at every kind of line break a Markdown reader might honour."""
    return text.splitlines()


def cell(text: str) -> str:
    """One table cell: HTML escaped, pipes escaped, paragraphs joined with <br>, bullet lists as an HTML list.

    The result is a single line, so no text can end the row or the table early.
    """
    blocks: list[str] = []
    items: list[str] = []
    list_tag = ""
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(" ".join(paragraph))
            paragraph.clear()

    def flush_items() -> None:
        if items:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{list_tag}>")
            items.clear()

    for raw in lines_of(text):
        bullet = _BULLET.match(raw)
        numbered = None if bullet else _NUMBERED.match(raw)
        if bullet or numbered:
            tag = "ul" if bullet else "ol"
            if tag != list_tag:
                flush_items()
                list_tag = tag
            flush_paragraph()
            items.append(_inline((bullet or numbered).group(1).strip()))  # type: ignore[union-attr]
            continue
        line = _inline(raw.strip())
        if not line:
            flush_paragraph()
            flush_items()
        else:
            flush_items()
            paragraph.append(line)
    flush_paragraph()
    flush_items()
    out = ""
    for block in blocks:
        # A list is a block of its own; a <br> beside it would only add an empty line.
        if out and not out.endswith("</ul>") and not out.endswith("</ol>") and not block.startswith("<"):
            out += "<br><br>"
        out += block
    return out


def _inline(text: str) -> str:
    text = _BACKSLASHES_BEFORE_PIPE.sub(lambda m: m.group(1) * 2, text)
    text = _TRAILING_BACKSLASHES.sub(lambda m: m.group(1) * 2, text)
    # Backticks are escaped too: a code span may run across cells and swallow the pipes between them.
    return escape_html(text).replace("|", "\\|").replace("`", "\\`")


def block(text: str) -> str:
    """Record text as Markdown paragraphs and lists for a page (not a table), with raw HTML escaped.

    A code fence in the text is escaped too: left open, it would swallow the rest of the page.
    """
    lines = (_FENCE.sub(lambda m: m.group(1) + "\\" + m.group(2), escape_html(line.rstrip())) for line in lines_of(text))
    return "\n".join(lines).strip("\n")


def inline(text: str) -> str:
    """Record text on one line (a heading, a list item), with raw HTML escaped."""
    return _WHITESPACE.sub(" ", escape_html(text))


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A pipe table whose cells have all been made safe."""
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines.extend("| " + " | ".join(cell(value) for value in values) + " |" for values in rows)
    return "\n".join(lines) + "\n"
