"""Markdown that survives being put in a table cell or a page, whatever the text holds.

Record text is Markdown written by clerks, so emphasis, lists and links are honoured; raw HTML is not: it is
escaped, so a record can never inject markup (or a script) into a published page. A link or image whose address
has a scheme other than http, https or mailto (javascript:, data:, vbscript:…) is shown as text instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tracker.model.textsafety import without_controls

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

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# The start of an inline link's or image's destination: `](` then everything up to `)` or `>` (blanks included, as
# a lenient reader or a browser may drop them: "java\tscript:" is still javascript:).
_INLINE_TARGET = re.compile(r"\]([ \t]*)\(([ \t]*<?)([^)>]*)")
# A link reference definition, `[label]: address`, at the start of a line.
_DEFINITION = re.compile(r"^( {0,3})\[([^\]\n]*)\]:[ \t]*<?(\S*)", re.MULTILINE)
# An autolink, `<scheme:address>`.
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*)>")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_IGNORED_IN_URL = re.compile("[\\x00-\\x20\\x7f-\\x9f\\\\<]")


def escape_html(text: str) -> str:
    """Text with every HTML tag and entity neutralised and control characters replaced, and nothing else changed."""
    return _ENTITY_START.sub("&amp;", without_controls(text)).replace("<", "&lt;").replace(">", "&gt;")


def safe_address(url: str) -> bool:
    """Whether a link to url is harmless to follow: an http, https or mailto address, or a relative one.

    The scheme is read as a browser would: after entity decoding, ignoring blanks, control characters and
    backslashes, whatever the case, so "JaVa&#83;cript&colon;" is caught too.
    """
    import html

    plain = _IGNORED_IN_URL.sub("", html.unescape(html.unescape(url))).lower()
    scheme = _SCHEME.match(plain)
    return scheme is None or scheme.group(1) in LINK_SCHEMES


def defuse_links(text: str) -> str:
    """Markdown with every link, image, reference definition and autolink to an unsafe address turned into text."""

    def inline(match: re.Match[str]) -> str:
        if safe_address(match.group(3)):
            return match.group(0)
        return f"\\]{match.group(1)}\\({match.group(2)}{match.group(3)}"

    def definition(match: re.Match[str]) -> str:
        return match.group(0) if safe_address(match.group(3)) else "\\" + match.group(0).lstrip(" ")

    def autolink(match: re.Match[str]) -> str:
        return match.group(0) if safe_address(match.group(1)) else f"&lt;{match.group(1)}&gt;"

    if "](" in text or "] (" in text or "]\t(" in text:
        text = _INLINE_TARGET.sub(inline, text)
    if "]:" in text:
        text = _DEFINITION.sub(definition, text)
    if "<" in text:
        text = _AUTOLINK.sub(autolink, text)
    return text


def lines_of(text: str) -> list[str]:
    """The lines of text, split at every kind of line break a Markdown reader might honour."""
    return text.splitlines()


@dataclass(frozen=True)
class Block:
    """A paragraph (its lines, joined with spaces when shown) or a bullet or numbered list (its items), as written."""

    kind: str  # "p", "ul" or "ol"
    lines: tuple[str, ...]


def blocks(text: str) -> list[Block]:
    """Record text as paragraphs and lists: the one reading every rendering (Markdown cells, Word) shares.

    A line starting "- ", "* ", "+ " or "•" is a bullet; "1." or "1)" a numbered item; a blank line ends a paragraph.
    """
    found: list[Block] = []
    items: list[str] = []
    list_kind = ""
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            found.append(Block("p", tuple(paragraph)))
            paragraph.clear()

    def flush_items() -> None:
        if items:
            found.append(Block(list_kind, tuple(items)))
            items.clear()

    for raw in lines_of(text):
        bullet = _BULLET.match(raw)
        numbered = None if bullet else _NUMBERED.match(raw)
        if bullet or numbered:
            kind = "ul" if bullet else "ol"
            if kind != list_kind:
                flush_items()
                list_kind = kind
            flush_paragraph()
            items.append((bullet or numbered).group(1).strip())  # type: ignore[union-attr]
            continue
        line = raw.strip()
        if not line:
            flush_paragraph()
            flush_items()
        else:
            flush_items()
            paragraph.append(line)
    flush_paragraph()
    flush_items()
    return found


def cell(text: str) -> str:
    """One table cell: HTML escaped, pipes escaped, paragraphs joined with <br>, bullet lists as an HTML list.

    The result is a single line, so no text can end the row or the table early.
    """
    out = ""
    for block in blocks(text):
        if block.kind == "p":
            line = " ".join(filter(None, map(_inline, block.lines)))
            # A list is a block of its own; a <br> beside it would only add an empty line.
            if out and not out.endswith("</ul>") and not out.endswith("</ol>"):
                out += "<br><br>"
            out += line
        else:
            out += f"<{block.kind}>" + "".join(f"<li>{_inline(item)}</li>" for item in block.lines) + f"</{block.kind}>"
    return out


def _inline(text: str) -> str:
    text = _BACKSLASHES_BEFORE_PIPE.sub(lambda m: m.group(1) * 2, text)
    text = _TRAILING_BACKSLASHES.sub(lambda m: m.group(1) * 2, text)
    # Backticks are escaped too: a code span may run across cells and swallow the pipes between them.
    return defuse_links(escape_html(text).replace("|", "\\|").replace("`", "\\`"))


def block(text: str) -> str:
    """Record text as Markdown paragraphs and lists for a page (not a table), with raw HTML escaped.

    A code fence in the text is escaped too: left open, it would swallow the rest of the page.
    """
    lines = (_FENCE.sub(lambda m: m.group(1) + "\\" + m.group(2), escape_html(line.rstrip())) for line in lines_of(text))
    return defuse_links("\n".join(lines).strip("\n"))


def link_text(text: str) -> str:
    """Record text as the words of a Markdown link, on one line, in a table cell or not: brackets, pipes, backticks
    and emphasis marks escaped, so the text can neither end the link early nor start one of its own."""
    text = " ".join(text.split()).replace("\\", "\\\\")
    for mark in "[]|`*_":
        text = text.replace(mark, "\\" + mark)
    return escape_html(text)


def inline(text: str) -> str:
    """Record text on one line (a heading, a list item), with raw HTML escaped."""
    return defuse_links(_WHITESPACE.sub(" ", escape_html(text)))


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def to_html(text: str) -> str:
    """Record text as HTML paragraphs and lists, every character of it escaped; **bold** shown as <strong>."""
    import html

    def inline(line: str) -> str:
        return _BOLD.sub(r"<strong>\1</strong>", html.escape(line, quote=False))

    out = []
    for block in blocks(text):
        if block.kind == "p":
            out.append("<p>" + " ".join(inline(line) for line in block.lines) + "</p>")
        else:
            out.append(f"<{block.kind}>" + "".join(f"<li>{inline(item)}</li>" for item in block.lines) + f"</{block.kind}>")
    return "".join(out)


def safe_url(url: str) -> str:
    """The link if it is a web or mail address; nothing otherwise (javascript: and data: links never reach a page)."""
    url = (url or "").strip()
    return url if _SCHEME.match(url.lower()) and safe_address(url) else ""


def table_row(cells: list[Any]) -> str:
    """A pipe-table row of cells, each plain text or a list of parts ({"text", "strong"}, see render.table): each
    part made safe as a cell is, strong parts in bold, parts separated by a blank line."""
    shown = []
    for value in cells:
        parts: list[dict[str, Any]] = [{"text": value, "strong": False}] if isinstance(value, str) else value
        shown.append("<br><br>".join(f"**{cell(p['text'])}**" if p["strong"] else cell(p["text"]) for p in parts))
    return "| " + " | ".join(shown) + " |"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A pipe table whose cells have all been made safe."""
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines.extend("| " + " | ".join(cell(value) for value in values) + " |" for values in rows)
    return "\n".join(lines) + "\n"


_LINK = re.compile(r"!?\[([^\]\n]*)\]\(([^)\s]*)\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`+([^`]*)`+")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_SPACE_BEFORE_STOP = re.compile(r"\s+([.,;:!?])(?=\s|$)")


def plain(text: str) -> str:
    """Record text with its Markdown taken out, on one line, for places that show text only (a feed summary):
    "Attached at **Appendix 1** ." -> "Attached at Appendix 1.", "[the letter](https://x)" -> "the letter (https://x)"."""
    text = _CODE.sub(r"\1", text)
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(2) and m.group(2) != m.group(1) else m.group(1), text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    lines = [re.sub(r"^\s*(?:#{1,6}\s+|>\s?)", "", line) for line in lines_of(text)]
    text = _ESCAPED.sub(r"\1", _WHITESPACE.sub(" ", " ".join(lines)).strip())
    return _SPACE_BEFORE_STOP.sub(r"\1", text)
