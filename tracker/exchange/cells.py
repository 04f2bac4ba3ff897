"""Reading what people type into table cells: HTML fragments, dates in words and Status cells.

Published tables (the Assembly's Summary List of Actions) and clerks' spreadsheets say the same things in the same
words; both importers read them through these functions.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from tracker.storage.config import Config

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_WORD_DATE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\s+(\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_FOLLOW_UP = re.compile(r"^(?:followed[- ]?up|chased)\s+(?:on\s+)?(.+?)\.?$", re.IGNORECASE)
_BULLET_CHARS = "•·▪◦‣-–*"


def word_date(text: str) -> dt.date | None:
    """The first date in the text, written "12 April 2023" or 2023-04-12; None when there is none."""
    match = _WORD_DATE.search(text)
    if match and match.group(2).lower() in _MONTHS:
        try:
            return dt.date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
        except ValueError:
            return None
    iso = _ISO_DATE.search(text)
    if iso:
        try:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    return None


class _ToMarkdown(HTMLParser):
    """Paragraphs, bold and lists of a table cell to the Markdown the records hold."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.items: list[str] = []
        self.in_item = False

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            if self.in_item:
                self.items.append(text.lstrip(_BULLET_CHARS).strip())
            else:
                self.blocks.append(text)
        self.current = []

    def _flush_list(self) -> None:
        if self.items:
            self.blocks.append("\n".join(f"- {item}" for item in self.items))
            self.items = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "div", "br", "ul", "ol"):
            self._flush()
            if tag in ("p", "div") and not self.in_item:
                self._flush_list()
        elif tag == "li":
            self._flush()
            self.in_item = True
        elif tag in ("b", "strong"):
            self.current.append("**")
        elif tag in ("i", "em"):
            self.current.append("*")

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._flush()
            self.in_item = False
        elif tag in ("ul", "ol"):
            self._flush()
            self._flush_list()
        elif tag in ("p", "div"):
            self._flush()
        elif tag in ("b", "strong"):
            self.current.append("**")
        elif tag in ("i", "em"):
            self.current.append("*")

    def handle_data(self, data: str) -> None:
        self.current.append(data)

    def markdown(self) -> str:
        self._flush()
        self._flush_list()
        # An empty <b></b> would leave "****" behind.
        return "\n\n".join(block.replace("****", "").strip() for block in self.blocks)


def cell_markdown(fragment: str) -> str:
    """A table cell (plain text or an HTML fragment) as the Markdown a record's text field holds."""
    if "<" not in fragment:
        lines = [" ".join(line.split()) for line in html.unescape(fragment).replace("\r\n", "\n").split("\n")]
        return "\n".join(lines).strip()
    parser = _ToMarkdown()
    parser.feed(fragment)
    parser.close()
    return parser.markdown()


def plain(fragment: str) -> str:
    """A cell's text without any markup, on one line."""
    text = re.sub(r"<[^>]+>", " ", fragment)
    return " ".join(html.unescape(text).split())


@dataclass(frozen=True)
class StatusCell:
    """What a Status cell says: the status, a remark, and the dates the body was chased."""

    status: str
    note: str = ""
    follow_ups: tuple[dt.date, ...] = ()


def parse_status_cell(config: Config, kind: str, cell: str) -> StatusCell | None:
    """ "Ongoing. Followed-up on 12 April 2023." → ongoing with a follow-up on that day; None if no status is named."""
    text = cell_markdown(cell)
    head, dot, rest = text.partition(".")
    slug = config.status_slug(kind, plain(head))
    if slug is None:
        return None
    note = rest.strip() if dot else ""
    follow_ups: list[dt.date] = []
    follow = _FOLLOW_UP.match(plain(note)) if note else None
    if follow:
        when = word_date(follow.group(1))
        if when is not None:
            follow_ups.append(when)
            note = ""
    return StatusCell(slug, note, tuple(follow_ups))
