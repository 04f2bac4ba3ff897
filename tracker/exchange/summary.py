"""Importing a published Summary List of Actions (Markdown with tab-separated tables, or HTML).

The Assembly's report groups actions under headings "Actions Arising from the Meeting Held on 22 March 2023", each
with a table Item No. | Item Title | Responsible Person | Action(s) | Status, and ends with standing items
(Subject and Action Required | Status | Responsible Person | Deadline). Cells may hold HTML paragraphs and lists.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from tracker.exchange.cells import cell_markdown, parse_status_cell, plain, word_date
from tracker.exchange.importing import Batch, history_mutation, progress_events
from tracker.model.errors import TrackerError
from tracker.model.records import Action
from tracker.model.recordset import RecordSet
from tracker.storage.config import Config

_MEETING_HEADING = re.compile(r"meeting\s+held\s+on\s+(.+)$", re.IGNORECASE)


@dataclass
class Table:
    """A table found in the document: the heading above it, its header cells and its rows (cell HTML)."""

    heading: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line in the source, cells)


@dataclass
class Document:
    tables: list[Table] = field(default_factory=list)
    date: dt.date | None = None  # the report's own date ("Date: 24 May 2023")


def read_markdown(text: str) -> Document:
    """Headings and tab-separated tables of the Markdown the Assembly publishes."""
    doc = Document()
    heading = ""
    table: Table | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\n")
        if "\t" in line:
            cells = [cell.strip() for cell in line.split("\t")]
            if plain(cells[0]).rstrip(":").casefold() == "date" and doc.date is None:
                doc.date = word_date(plain(cells[1]))
            if table is None:
                table = Table(heading, cells, [])
                doc.tables.append(table)
            else:
                table.rows.append((number, cells))
            continue
        table = None
        stripped = line.strip()
        if stripped.startswith("#"):
            heading = stripped.lstrip("#").strip()
        elif stripped.startswith("**") and stripped.endswith("**") and len(stripped) > 4:
            heading = stripped.strip("*").strip()
    return doc


class _HtmlTables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = Document()
        self.heading = ""
        self.heading_text: list[str] | None = None
        self.table: Table | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.cell is not None and tag not in ("td", "th", "tr"):
            self.cell.append(self.get_starttag_text() or "")
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "caption"):
            self.heading_text = []
        elif tag == "table":
            self.table = Table(self.heading, [], [])
            self.doc.tables.append(self.table)
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif self.cell is not None:
            self.cell.append(f"</{tag}>")
        elif tag == "tr" and self.row is not None and self.table is not None:
            if not self.table.header:
                self.table.header = self.row
            elif any(self.row):
                self.table.rows.append((self.getpos()[0], self.row))
            self.row = None
        elif tag == "table":
            self.table = None
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "caption") and self.heading_text is not None:
            self.heading = " ".join("".join(self.heading_text).split())
            if self.table is not None and tag == "caption":
                self.table.heading = self.heading
            self.heading_text = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(html.escape(data, quote=False))  # the cell stays an HTML fragment
        elif self.heading_text is not None:
            self.heading_text.append(data)
        elif self.doc.date is None and data.strip().lower().startswith("date:"):
            self.doc.date = word_date(data)


def read_html(text: str) -> Document:
    parser = _HtmlTables()
    parser.feed(text)
    parser.close()
    return parser.doc


def read_document(text: str) -> Document:
    """Either format: HTML when the text has a <table>, else the Markdown form."""
    return read_html(text) if re.search(r"<table\b", text, re.IGNORECASE) else read_markdown(text)


@dataclass(frozen=True)
class Row:
    line: int
    meeting: dt.date | None
    item: str
    item_title: str
    responsible: str
    text: str
    status_cell: str
    standing: bool = False
    title: str = ""
    deadline: str = ""


def _kind_of(header: list[str]) -> str:
    names = [plain(cell).casefold() for cell in header]
    if any(name.startswith("item no") for name in names) and any("action" in name for name in names):
        return "actions"
    if any(name.startswith("subject") for name in names):
        return "standing"
    return ""


def _column(header: list[str], *starts: str) -> int:
    for index, cell in enumerate(header):
        name = plain(cell).casefold()
        if any(name.startswith(start) for start in starts):
            return index
    return -1


def rows_of(doc: Document) -> list[Row]:
    """Every action row of every table the document holds, in document order."""
    rows: list[Row] = []
    for table in doc.tables:
        kind = _kind_of(table.header)
        if kind == "actions":
            match = _MEETING_HEADING.search(table.heading)
            meeting = word_date(match.group(1)) if match else None
            if meeting is None:
                first = table.rows[0][0] if table.rows else 0
                raise TrackerError(f"line {first}: this table of actions has no \"Meeting Held on DATE\" heading above it")
            columns = [_column(table.header, *names) for names in
                       (("item no",), ("item title",), ("responsible",), ("action",), ("status",))]
            for line, cells in table.rows:
                item, title, responsible, text, status = (cells[i] if 0 <= i < len(cells) else "" for i in columns)
                rows.append(Row(line, meeting, plain(item).rstrip(".:"), plain(title), plain(responsible),
                                cell_markdown(text), status))
        elif kind == "standing":
            places = [_column(table.header, *names) for names in (("subject",), ("status",), ("responsible",), ("deadline",))]
            for line, cells in table.rows:
                subject, status_cell, owner, deadline = (cells[i] if 0 <= i < len(cells) else "" for i in places)
                heading, body = _split_subject(subject)
                rows.append(Row(line, None, "", "", plain(owner), body, status_cell, standing=True, title=heading,
                                deadline=plain(deadline)))
    return rows


def _split_subject(cell: str) -> tuple[str, str]:
    """A standing item's subject cell: a bold first paragraph (the subject), then the action required."""
    markdown = cell_markdown(cell)
    first, _, rest = markdown.partition("\n\n")
    if first.startswith("**") and first.endswith("**"):
        return first.strip("*").strip(), rest.strip()
    return plain(first), rest.strip()


def _identity(standing: bool, title: str, meeting: dt.date | None, item: str, text: str) -> tuple[Any, ...]:
    """What makes a row the same action as a record: its subject, or its meeting, item and words."""
    return ("standing", _key(title)) if standing else (meeting, item, _key(text))


def _key(text: str) -> str:
    return " ".join(re.sub(r"[*_`]", "", text).split()).casefold()


def import_summary(config: Config, records: RecordSet, text: str, *, committee: str, source: str,
                   as_of: dt.date | None = None, by: str = "") -> Batch:
    """Plan the meetings and actions a Summary List gives, and the status news for those already recorded."""
    from tracker.edits import create
    create._require_committee(config, committee)
    doc = read_document(text)
    rows = rows_of(doc)
    if not rows:
        raise TrackerError(f"{source}: no Summary List of Actions table found",
                           hint='expected a header row "Item No. | Item Title | Responsible Person | Action(s) | Status"')
    when = as_of or doc.date or dt.date.today()
    batch = Batch(config, records, source)
    first_status = next(iter(config.statuses["action"]))
    earliest = min((row.meeting for row in rows if row.meeting), default=when)
    meetings = {m.date for m in records.meetings_of(committee)}
    existing: dict[Any, Any] = {}
    for action in records.of(Action):
        if action.committee == committee:
            existing[_identity(action.standing, action.title, action.meeting, action.item, action.text)] = action
    for row in rows:
        if row.meeting is not None and row.meeting not in meetings:
            meetings.add(row.meeting)
            made = batch.attempt(row.line, lambda row=row: create.new_meeting(  # type: ignore[misc]
                config, batch.trial, committee=committee, date=row.meeting, title=config.committees[committee].name))
            if made is not None:
                batch.add_new(row.line, made)
        cell = parse_status_cell(config, "action", row.status_cell)
        if cell is None and not row.standing:
            batch.fail(row.line, f"the Status cell {plain(row.status_cell)!r} does not start with a status "
                                 f"({', '.join(s.label for s in config.statuses['action'].values())})")
            continue
        status = cell.status if cell else first_status
        note = cell.note if cell else cell_markdown(row.status_cell)
        follow_ups = cell.follow_ups if cell else ()
        key = _identity(row.standing, row.title, row.meeting, row.item, row.text)
        record: Any = existing.get(key)
        if record is None:
            made = batch.attempt(row.line, lambda row=row: create.new_action(  # type: ignore[misc]
                config, batch.trial, committee=committee, meeting=row.meeting, item=row.item, item_title=row.item_title,
                responsible=row.responsible, text=row.text, status=first_status, standing=row.standing,
                title=row.title, deadline=row.deadline, created=earliest if row.standing else None, by=by))
            if made is None:
                continue
            record = batch.add_new(row.line, made)
            existing[key] = record
        new_status, events = progress_events(record, status, note, follow_ups, when, by)
        if new_status or events:
            change = history_mutation(new_status, events)
            batch.attempt(row.line, lambda line=row.line, record=record, change=change:  # type: ignore[misc]
                          batch.edit(line, record, change))
    return batch
