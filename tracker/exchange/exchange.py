"""Spreadsheets in and out: every field of every record as one row, and rows back into records.

Export flattens a record's history to its latest event plus a count, writes dates as ISO, and guards cells that a
spreadsheet would run as formulas. Import maps friendly column names ("Item No.", "Responsible Person",
"Action(s)") to fields, plans every row in memory and writes nothing unless every row is valid.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.exchange.importing import Batch, history_mutation, progress_events
from tracker.model.errors import TrackerError
from tracker.model.records import Action, Recommendation, Record, Response, Trackable
from tracker.model.recordset import RecordSet
from tracker.storage.config import Config
from tracker.text.csvtext import unguard

HISTORY_COLUMNS = ["history_count", "last_event_date", "last_event", "last_event_note"]
COLUMNS: dict[str, list[str]] = {
    "meeting": ["id", "kind", "committee", "date", "title", "url"],
    "action": ["id", "kind", "committee", "meeting", "item", "item_title", "standing", "title", "deadline",
               "responsible", "text", "status", "due", "created", *HISTORY_COLUMNS],
    "report": ["id", "kind", "committee", "slug", "title", "published", "url", "response_due"],
    "recommendation": ["id", "kind", "committee", "report", "number", "text", "to", "status", "due", "created",
                       *HISTORY_COLUMNS],
    "response": ["id", "kind", "committee", "report", "from", "date", "summary", "url", "appendix", "recommendations"],
}


def export_rows(records: RecordSet, kind: str, committee: str = "") -> list[dict[str, Any]]:
    """One flat row per record of that kind: every field, lists joined with "; ", history summarised."""
    from tracker.questions.query import sort_key

    chosen = [r for r in records if r.kind == kind and (not committee or records.committee_of(r) == committee)]
    return [flat_row(records, record) for record in sorted(chosen, key=lambda r: sort_key(records, r))]


def flat_row(records: RecordSet, record: Record) -> dict[str, Any]:
    data = record.to_json()
    data.pop("history", None)
    data["committee"] = records.committee_of(record)
    if isinstance(record, Recommendation):
        data["to"] = "; ".join(record.to)
    if isinstance(record, Response):
        data["recommendations"] = "; ".join(f"{a.number}: {a.position}" for a in record.answers)
    if isinstance(record, Trackable):
        last = record.history[-1] if record.history else None
        data.update(history_count=len(record.history),
                    last_event_date=last.date.isoformat() if last else None,
                    last_event=last.event if last else None,
                    last_event_note=(last.note or last.reason or last.response) if last else None)
    if isinstance(record, Action):
        data["standing"] = record.standing or None
    return {column: data.get(column) for column in COLUMNS[record.kind]}


def to_xlsx(sheets: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> bytes:
    """An Excel workbook, one sheet per kind; dates are real dates and text is never run as a formula."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError:
        raise TrackerError("writing .xlsx needs the openpyxl package", hint="pip install openpyxl") from None
    book = Workbook()
    book.remove(book.active)
    for name, (columns, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_xlsx_value(row.get(column)) for column in columns])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value)
    return value


# ------------------------------------------------------------------ import

# Column headings as clerks write them, after folding (lower case, punctuation and "(s)" dropped), by field.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "action": {
        "id": ("id", "record id", "tracker id"),
        "committee": ("committee",),
        "meeting": ("meeting", "meeting date", "date of meeting", "date", "meeting held on"),
        "item": ("item", "item no", "item number", "agenda item", "agenda item no", "no"),
        "item_title": ("item title", "agenda item title", "subject"),
        "standing": ("standing", "standing item"),
        "title": ("title", "standing item title"),
        "deadline": ("deadline", "deadline if applicable"),
        "responsible": ("responsible", "responsible person", "responsible body", "owner", "lead", "who", "action by"),
        "text": ("text", "action", "actions", "action required", "action agreed", "description",
                 "subject and action required"),
        "status": ("status", "progress", "status update"),
        "note": ("note", "notes", "comment", "comments", "update", "last event note"),
        "due": ("due", "due date", "due by", "target date", "by when"),
        "created": ("created", "date raised", "raised"),
    },
    "recommendation": {
        "id": ("id", "record id", "tracker id"),
        "committee": ("committee",),
        "report": ("report", "report id", "report slug", "report title"),
        "number": ("number", "no", "recommendation no", "recommendation number", "rec", "rec no"),
        "text": ("text", "recommendation", "recommendations", "recommendation text"),
        "to": ("to", "addressed to", "responsible", "responsible body", "addressee", "addressees", "for"),
        "status": ("status", "progress"),
        "note": ("note", "notes", "comment", "comments", "update", "last event note"),
        "due": ("due", "due date", "deadline", "by when", "target date"),
        "created": ("created",),
    },
}
# Columns export writes that import reads past: history is changed through events, not by editing a summary.
IGNORED = {"kind", "history count", "last event date", "last event", "path", "category", "status label",
           "days overdue", "due date", "url", "published", "response due", "slug"}


def fold_heading(heading: str) -> str:
    text = heading.replace("\ufeff", "").casefold().replace("(s)", "s").replace("_", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def map_columns(headings: list[str], kind: str) -> tuple[dict[int, str], list[str]]:
    """Which column holds which field, and the headings that name no field."""
    lookup = {alias: name for name, aliases in ALIASES[kind].items() for alias in aliases}
    mapped: dict[int, str] = {}
    unknown: list[str] = []
    for index, heading in enumerate(headings):
        folded = fold_heading(heading)
        if not folded:
            continue
        name = lookup.get(folded)
        if name is None and folded not in IGNORED:
            unknown.append(heading)
        elif name is not None:
            if name in mapped.values():
                raise TrackerError(f"two columns hold {name}: {heading!r} and another; keep one")
            mapped[index] = name
    return mapped, unknown


def read_table(path: Path, sheet: str = "") -> list[list[str]]:
    """The rows of a .csv (UTF-8 with or without BOM, or UTF-16; comma, semicolon or tab) or of an .xlsx sheet.

    From a workbook, the sheet named `sheet` (as `tracker export` names them) if there is one, else the first.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise TrackerError(f"{path}: cannot read: {err.strerror}") from None
    text = _decode_csv(path, raw)
    # The header row decides the separator (Excel writes ";" where the decimal mark is a comma).
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _decode_csv(path: Path, raw: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), else Windows-1252."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise TrackerError(f"{path}: starts as UTF-16 text but is not readable as UTF-16",
                               hint="save it again as \"CSV UTF-8\" (or as Unicode text) and import that") from None
    if b"\x00" in raw:
        # UTF-16 without its byte-order mark: every other byte of plain text is zero.
        even, odd = raw[0::2].count(0), raw[1::2].count(0)
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        try:
            if len(raw) % 2 == 0 and max(even, odd) * 2 >= len(raw) // 2:
                return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
        raise TrackerError(f"{path}: not a text CSV file (it holds zero bytes, and is not UTF-16 text either)",
                           hint="save it as \"CSV UTF-8\" and import that")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # what Excel writes for "CSV" on Windows


def _read_xlsx(path: Path, sheet: str) -> list[list[str]]:
    try:
        from openpyxl import load_workbook
    except ImportError:
        raise TrackerError("reading .xlsx needs the openpyxl package", hint="pip install openpyxl") from None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 -- openpyxl raises many types for a damaged file
        raise TrackerError(f"{path}: not a readable .xlsx workbook ({err})") from None
    rows = []
    chosen = book[sheet] if sheet in book.sheetnames else book.worksheets[0]
    for values in chosen.iter_rows(values_only=True):
        rows.append(["" if v is None else v.date().isoformat() if isinstance(v, dt.datetime)
                     else v.isoformat() if isinstance(v, dt.date) else str(v) for v in values])
    book.close()
    return rows


def _when(value: str, what: str) -> dt.date:
    from tracker.exchange.cells import word_date
    from tracker.model.dates import day_first, parse_date

    try:
        return parse_date(value.strip())
    except ValueError:
        found = day_first(value) or word_date(value)
        if found is None:
            raise TrackerError(f"{what} {value!r} is not a date (write 2023-03-22, 22/03/2023 or 22 March 2023)") from None
        return found


def import_table(config: Config, records: RecordSet, rows: list[list[str]], *, kind: str, committee: str, source: str,
                 as_of: dt.date, by: str = "", progress: Callable[[int], None] | None = None, update: bool = False,
                 ) -> tuple[Batch, list[str]]:
    """Plan the records a spreadsheet describes: new ones created, existing ones changed only where they differ.

    Two rows for one record are refused. A row that would change an existing record's fields is refused, naming
    each field, unless update is given; then each field changed gets an `edited` event keeping its old value.
    Returns the batch (check, then write) and the headings that were ignored.
    """
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise TrackerError(f"{source}: no header row; the first row must name the columns (e.g. Item No., Status)")
    columns, unknown = map_columns(rows[0], kind)
    batch = Batch(config, records, source)
    required = {"action": ("responsible", "text"), "recommendation": ("text",)}[kind]
    missing = [name for name in required if name not in columns.values()]
    can_find = "id" in columns.values() or (kind == "recommendation" and {"report", "number"} <= set(columns.values()))
    if missing and not can_find:
        raise TrackerError(f"{source}: no column for {', '.join(missing)}",
                           hint=f"the header row has: {', '.join(h for h in rows[0] if h)}")
    importer = _ActionRow if kind == "action" else _RecommendationRow
    first_row: dict[tuple[str, ...], int] = {}
    for number, cells in enumerate(rows[1:], 2):
        if not any(str(cell).strip() for cell in cells):
            continue
        values = {name: unguard(str(cells[i]).strip()) if i < len(cells) else "" for i, name in columns.items()}
        key = importer.row_key(values, committee)
        if key is not None:
            if key in first_row:
                same = " ".join(part for part in key[1:] if part)
                batch.fail(number, f"this row is for the same {kind} as row {first_row[key]} "
                                   f"({same if len(same) <= 60 else same[:57] + '...'}); give each record one row")
                continue
            first_row[key] = number
        handler = importer(config, batch, committee, as_of, by, update)
        batch.attempt(number, lambda handler=handler, number=number, values=values:  # type: ignore[misc]
                      handler.apply(number, values))
        if progress:
            progress(number - 1)
    return batch, unknown


class _Row:
    kind = ""

    def __init__(self, config: Config, batch: Batch, committee: str, as_of: dt.date, by: str, update: bool = False):
        self.config, self.batch, self.committee, self.as_of, self.by = config, batch, committee, as_of, by
        self.allow_update = update

    def status_of(self, values: dict[str, str]) -> tuple[str, str, tuple[dt.date, ...]]:
        """The status column may hold a slug, a label or a whole Status cell ("Ongoing. Followed-up on ...")."""
        from tracker.exchange.cells import parse_status_cell

        raw = values.get("status", "")
        note = values.get("note", "")
        if not raw:
            return "", note, ()
        cell = parse_status_cell(self.config, self.kind, raw)
        if cell is None:
            from tracker.exchange.cells import cell_markdown, plain

            # Raises, naming the status nearest to the cell's first sentence ("In progres. Chased ...").
            self.config.resolve_status(self.kind, plain(cell_markdown(raw).partition(".")[0]))
            raise TrackerError(f"status {raw!r} is not one of {', '.join(self.config.statuses[self.kind])}")
        return cell.status, note or cell.note, cell.follow_ups

    def update(self, number: int, record: Trackable, values: dict[str, str], fields: dict[str, Any]) -> None:
        """Change the fields that differ; a status change or a note becomes a history event."""
        current = record.to_json()
        changed = {}
        for name, value in fields.items():
            if value in (None, "") or _same(current.get(name), value):
                continue
            changed[name] = value
        status, note, follow_ups = self.status_of(values)
        new_status, events = progress_events(record, status, note, follow_ups, self.as_of, self.by)
        if not changed and not new_status and not events:
            return
        from tracker.questions.output import shown_value

        listed = [f"{name}: {shown_value(current[name]) if current.get(name) not in (None, '') else '(none)'} → "
                  f"{shown_value(value)}" for name, value in changed.items()]
        if changed and not self.allow_update:
            raise TrackerError(f"{record.id} exists, and this row would change it (give --update to change it):\n"
                               + "\n".join(listed))
        for name in changed:
            if name == "due":
                continue  # recorded as a reschedule, below
            edited: dict[str, Any] = {"date": self.as_of, "event": "edited", "field": name}
            if current.get(name) not in (None, ""):
                edited["old"] = current[name]
            if self.by:
                edited["by"] = self.by
            events.append(edited)
        if "due" in changed and current.get("due"):
            # A due date never moves silently: the import records why it moved.
            events.append({"date": self.as_of, "event": "reschedule", "previous_due": current["due"],
                           "due": changed["due"], "reason": f"changed in {self.batch.source}"})
        history = history_mutation(new_status, events)

        def mutate(document: Any) -> None:
            from ruamel.yaml.scalarstring import LiteralScalarString

            for name, value in changed.items():
                document[name] = LiteralScalarString(value) if isinstance(value, str) and "\n" in value else value
            history(document)

        self.batch.edit(number, record, mutate, listed)


def _due(value: str) -> Any:
    """A due date cell: YYYY-MM-DD, YYYY-MM or YYYY, or a day as UK spreadsheets write it (24/05/2023)."""
    from tracker.model.dates import PartialDate, day_first

    if not value:
        return None
    found = day_first(value)
    if found is not None:
        return PartialDate.parse(found)
    try:
        return PartialDate.parse(value)
    except ValueError as err:
        raise TrackerError(f"due: {err}") from None


def _number(value: str) -> Any:
    from tracker.model.numbers import parse_number

    try:
        return parse_number(value)
    except ValueError as err:
        raise TrackerError(f"number {err}") from None


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, list):
        return [str(v) for v in old] == list(new) if isinstance(new, list) else "; ".join(map(str, old)) == new
    if isinstance(old, str) and isinstance(new, str):
        return " ".join(old.split()) == " ".join(new.split())
    return str(old) == str(new)


def _text(value: str) -> str:
    from tracker.exchange.cells import cell_markdown

    return cell_markdown(value) if "<" in value else value.replace("\r\n", "\n").strip()


class _ActionRow(_Row):
    kind = "action"

    @staticmethod
    def row_key(values: dict[str, str], committee: str) -> tuple[str, ...] | None:
        """What names the action a row is for: its ID, else its meeting, item and text."""
        if values.get("id"):
            return ("id", values["id"])
        text = " ".join(_text(values.get("text", "")).split()).casefold()
        if not text:
            return None
        place = values.get("meeting") or values.get("title", "")
        return ("action", values.get("committee") or committee, place, values.get("item", "").rstrip(".:").strip(), text)

    def apply(self, number: int, values: dict[str, str]) -> None:
        from tracker.edits import create

        records = self.batch.trial
        committee = values.get("committee") or self.committee
        if values.get("id"):
            found = records.get(values["id"], Action)
            committee = found.committee
        if not committee:
            raise TrackerError("no committee: give --committee or a Committee column")
        standing = values.get("standing", "").casefold() in ("true", "yes", "y", "1", "x") or (
            not values.get("meeting") and bool(values.get("title")))
        meeting = None if standing or not values.get("meeting") else _when(values["meeting"], "meeting date")
        item = values.get("item", "").rstrip(".:").strip()
        text = _text(values.get("text", ""))
        due = _due(values.get("due", ""))
        record = self._find(records, values, committee, meeting, item, text, standing)
        fields: dict[str, Any] = {
            "item_title": values.get("item_title", ""), "responsible": values.get("responsible", ""), "text": text,
            "deadline": values.get("deadline", ""), "due": str(due) if due else None, "title": values.get("title", ""),
        }
        if record is not None:
            self.update(number, record, values, fields)
            return
        status, note, follow_ups = self.status_of(values)
        first = next(iter(self.config.statuses["action"]))
        if not standing and meeting is None:
            raise TrackerError("no meeting date (give a Meeting column, or Standing: yes with a Title)")
        if meeting is not None and not any(m.date == meeting for m in records.meetings_of(committee)):
            made_meeting = create.new_meeting(self.config, records, committee=committee, date=meeting,
                                              title=self.config.committees[committee].name
                                              if committee in self.config.committees else "")
            self.batch.add_new(number, made_meeting)
        made = create.new_action(
            self.config, records, committee=committee, meeting=meeting, item=item,
            item_title=values.get("item_title", ""), responsible=values.get("responsible", ""), text=text,
            status=first, due=due, standing=standing, title=values.get("title", ""),
            deadline=values.get("deadline", ""),
            created=_when(values["created"], "created") if values.get("created") else None, by=self.by)
        new = self.batch.add_new(number, made)
        new_status, events = progress_events(new, status, note, follow_ups, self.as_of, self.by)
        if new_status or events:
            self.batch.edit(number, new, history_mutation(new_status, events))

    def _find(self, records: RecordSet, values: dict[str, str], committee: str, meeting: dt.date | None, item: str,
              text: str, standing: bool) -> Action | None:
        if values.get("id"):
            return records.get(values["id"], Action)
        wanted = " ".join(text.split()).casefold()
        for action in records.of(Action):
            if action.committee != committee:
                continue
            if standing and action.standing and action.title.casefold() == values.get("title", "").casefold():
                return action
            if (not standing and action.meeting == meeting and action.item == item
                    and " ".join(action.text.split()).casefold() == wanted):
                return action
        return None


class _RecommendationRow(_Row):
    kind = "recommendation"

    @staticmethod
    def row_key(values: dict[str, str], committee: str) -> tuple[str, ...] | None:
        """What names the recommendation a row is for: its ID, else its report and number."""
        if values.get("id"):
            return ("id", values["id"])
        if not values.get("number"):
            return None
        try:
            number = str(_number(values["number"]))
        except TrackerError:
            return None  # reported when the row is read
        return ("recommendation", values.get("report", ""), f"number {number}")

    def apply(self, number: int, values: dict[str, str]) -> None:
        from tracker.edits import create

        records = self.batch.trial
        to = [part.strip() for part in re.split(r";|\n", values.get("to", "")) if part.strip()]
        text = _text(values.get("text", ""))
        due = _due(values.get("due", ""))
        record: Recommendation | None = None
        if values.get("id"):
            record = records.get(values["id"], Recommendation)
        else:
            if not values.get("report"):
                raise TrackerError("no report: give a Report column (the report's slug or ID)")
            report = records.report(values["report"])
            if values.get("number"):
                wanted = _number(values["number"])
                record = next((r for r in records.recommendations_of(report.id) if r.number == wanted), None)
        fields: dict[str, Any] = {"text": text, "to": to or None, "due": str(due) if due else None}
        if record is not None:
            self.update(number, record, values, fields)
            return
        status, note, follow_ups = self.status_of(values)
        made = create.new_recommendation(
            self.config, records, report=report, number=_number(values["number"]) if values.get("number") else None,
            text=text, to=to, status=next(iter(self.config.statuses["recommendation"])), due=due,
            created=_when(values["created"], "created") if values.get("created") else None, by=self.by)
        new = self.batch.add_new(number, made)
        new_status, events = progress_events(new, status, note, follow_ups, self.as_of, self.by)
        if new_status or events:
            self.batch.edit(number, new, history_mutation(new_status, events))
