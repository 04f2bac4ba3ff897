"""Formatting results for people (rich tables at a terminal, plain text when piped) and for programs."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from tracker.model.dates import format_date
from tracker.model.records import Record, Response, Trackable
from tracker.model.recordset import RecordSet
from tracker.model.textsafety import visible
from tracker.questions.query import Attention, Reason, title_of
from tracker.storage.config import Config
from tracker.text import markdown
from tracker.text.csvtext import to_csv

LIST_COLUMNS = [("id", "ID"), ("status_label", "Status"), ("due", "Due"), ("days_overdue", "Days overdue"),
                ("responsible", "Responsible"), ("title", "Title")]


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def to_json(data: Any) -> str:
    from tracker.text.jsontext import dumps  # the same text as json.dumps(indent=2), much faster for long lists

    return dumps(data) + "\n"


def plain_table(headers: list[str], rows: list[list[str]], widths: dict[int, int] | None = None) -> str:
    """Aligned columns without colour or box drawing, for pipes and files."""
    widths = widths or {}
    cut = [[_shorten(cell, widths.get(i, 0)) for i, cell in enumerate(r)] for r in rows]
    sizes = [max([len(headers[i])] + [len(r[i]) for r in cut]) for i in range(len(headers))]
    lines = ["  ".join(h.ljust(sizes[i]) for i, h in enumerate(headers)).rstrip()]
    lines += ["  ".join(c.ljust(sizes[i]) for i, c in enumerate(r)).rstrip() for r in cut]
    return "\n".join(lines) + "\n"


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if not width or len(text) <= width else text[: width - 1] + "…"


def rich_table(title: str, headers: list[str], rows: list[list[str]], alarm: list[bool]) -> str:
    """A rich table rendered at the terminal's width, alarming rows in bold red."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Cells are Text, not markup: "[link=...]" in a record is shown as written, never turned into a hyperlink.
    table = Table(title=Text(visible(title)), title_justify="left", header_style="bold", expand=False)
    for header in headers:
        table.add_column(Text(visible(header)), overflow="fold")
    for values, bad in zip(rows, alarm, strict=True):
        table.add_row(*(Text(visible(value)) for value in values), style="bold red" if bad else None)
    console = Console(record=True, file=io.StringIO())
    console.print(table)
    return console.export_text(styles=console.is_terminal or not console.no_color)


def human_table(fmt: str, headers: list[str], values: list[list[str]], *, title: str, empty: str, alarm: list[bool],
                widths: dict[int, int], to_terminal: bool) -> str:
    """A table for people: Markdown, rich at a terminal (alarming rows in red), or plain aligned text."""
    if fmt == "markdown":
        return markdown.table(headers, values)
    if not values:
        return empty + "\n"
    if to_terminal:
        return rich_table(title, headers, values, alarm)
    return visible(plain_table(headers, values, widths))


def records_table(rows: list[dict[str, Any]], fmt: str, *, as_of: dt.date, to_terminal: bool) -> str:
    if fmt == "json":
        return to_json(rows)
    fields = list(rows[0]) if rows else [key for key, _ in LIST_COLUMNS]
    if fmt == "csv":
        return to_csv(rows, fields)
    return human_table(fmt, [label for _, label in LIST_COLUMNS], [[_flat(r.get(key)) for key, _ in LIST_COLUMNS] for r in rows],
                       title=f"{len(rows)} records as of {as_of.isoformat()}", empty="nothing matches",
                       alarm=[bool(r.get("days_overdue")) for r in rows], widths={5: 70, 4: 40}, to_terminal=to_terminal)


REASON_WORDS = {"overdue": "overdue", "response-overdue": "response overdue", "follow-up-due": "follow-up due"}


def _reason_text(config: Config, reason: Reason) -> str:
    words = REASON_WORDS[reason.reason]
    when = format_date(reason.since, config.date_style)
    if reason.reason == "follow-up-due":
        return f"{words} (no news since {when})"
    if reason.reason == "response-overdue":
        return f"{words} from {reason.addressee} (due {when})"
    return f"{words} (due {when})"


def attention_table(records: RecordSet, config: Config, items: list[Attention], fmt: str, as_of: dt.date,
                    *, to_terminal: bool) -> str:
    return attention_text(config, attention_entries(records, config, items, as_of, fmt), fmt, as_of, to_terminal=to_terminal)


# One item of `tracker overdue`, as kept to answer again: its place in the order, its file, its row (for --format
# json, already the row's text in the list), its reasons.
Entry = tuple[tuple[Any, ...], str, Any, tuple[Any, ...]]


def attention_entries(records: RecordSet, config: Config, items: list[Attention], as_of: dt.date, fmt: str) -> list[Entry]:
    """What attention_text needs of each item in that format, in the items' order, with no record left in it."""
    from tracker.model.collector import collector_paused
    from tracker.questions.query import attention_rows
    from tracker.text.jsontext import dumps

    rows = attention_rows(records, config, items, as_of)
    with collector_paused():
        if fmt == "json":
            # Each row as it stands in the list: the list's text without its brackets (see attention_text).
            return [(order, item.record.path,
                     dumps([{**base, "days": item.worst, "reasons": [reason.to_json() for reason in item.reasons]}])[2:-2],
                     item.reasons) for (order, base), item in zip(rows, items, strict=True)]
        return [(order, item.record.path, base, item.reasons) for (order, base), item in zip(rows, items, strict=True)]


def entry_text(entry: Entry) -> str:
    """An entry as JSON text, to keep (see entry_from)."""
    import json

    order, path, base, reasons = entry
    return json.dumps([_jsonable(order), path, base, [[r.reason, r.days, r.since.isoformat(), r.addressee] for r in reasons]],
                      ensure_ascii=False, separators=(",", ":"))


def entry_from(text: str) -> Entry:
    """An entry from its text (entry_text); its place in the order compares as the entry's own did."""
    import json

    order, path, base, reasons = json.loads(text)
    return (order, path, base, tuple(Reason(reason, days, dt.date.fromisoformat(since), addressee)
                                     for reason, days, since, addressee in reasons))


def _jsonable(value: Any) -> Any:
    """A sort key as JSON values that order alike: tuples as lists, dates in ISO form."""
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def attention_text(config: Config, entries: list[Entry], fmt: str, as_of: dt.date, *, to_terminal: bool) -> str:
    if fmt == "json":
        return "[\n" + ",\n".join(text for _, _, text, _ in entries) + "\n]\n" if entries else "[]\n"
    flat = []
    for _, _, base, reasons in entries:
        for reason in reasons:
            flat.append({**base, "reason": reason.reason, "days": reason.days, "since": reason.since.isoformat(),
                         "addressee": reason.addressee, "reason_text": _reason_text(config, reason)})
    if fmt == "csv":
        fields = ["id", "kind", "committee", "reason", "days", "since", "addressee", "status", "due", "responsible", "title"]
        return to_csv(flat, fields)
    headers = ["ID", "Reason", "Days", "Status", "Responsible", "Title"]
    values = [[f["id"], f["reason_text"], str(f["days"]), f["status_label"] or "",
               _flat(f["responsible"]), f["title"]] for f in flat]
    when = format_date(as_of, config.date_style)
    return human_table(fmt, headers, values, title=f"{len(entries)} items need attention as of {when}",
                       empty=f"nothing needs attention as of {when}", alarm=[f["reason"] != "follow-up-due" for f in flat],
                       widths={1: 70, 4: 40, 5: 60}, to_terminal=to_terminal)


def _record_json(record: Record, summary: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    """The record's fields with where it stands on as_of, for programs."""
    from tracker.questions.chase import slippage

    data = {**record.to_json(), **{k: summary[k] for k in ("status_label", "category", "days_overdue", "title")}}
    if isinstance(record, Trackable):
        data["slippage"] = slippage(record, as_of).to_json()
    return data


def _field_lines(record: Record) -> list[str]:
    """One line for each short field that has a value."""
    lines = []
    for key, value in record.to_json().items():
        if key in ("id", "kind", "history", "text", "summary", "recommendations") or value in (None, "", [], False):
            continue
        lines.append(f"{key + ':':<14}{_flat(value)}")
    return lines


def _standing_lines(config: Config, record: Trackable, summary: dict[str, Any], as_of: dt.date) -> list[str]:
    """Where a recommendation or action stands on as_of: its status, deadline, days overdue and slippage."""
    from tracker.questions.chase import slippage

    style = config.date_style
    lines = [f"{'status now:':<14}{summary['status_label']} ({summary['category']}) as of {format_date(as_of, style)}"]
    deadline = record.deadline_words(record.due_as_of(as_of), style)
    if deadline:
        lines.append(f"{'deadline:':<14}{deadline}")
    if summary["days_overdue"]:
        lines.append(f"{'overdue:':<14}{summary['days_overdue']} days")
    slip = slippage(record, as_of)
    if slip.moves:
        lines.append(f"{'slippage:':<14}moved {len(slip.moves)} time{'s' if len(slip.moves) != 1 else ''}, "
                     f"{slip.days} days in all (first due {slip.original})")
    return lines


def _body_lines(record: Record) -> list[str]:
    """The record's text or summary, and a response's answers, each after a blank line."""
    lines = []
    text = getattr(record, "text", "") or getattr(record, "summary", "")
    if text:
        lines += ["", text]
    if isinstance(record, Response) and record.answers:
        lines.append("")
        for answer in record.answers:
            lines.append(f"- recommendation {answer.number}: {answer.position}" + (f". {answer.text}" if answer.text else ""))
    return lines


def show_record(records: RecordSet, config: Config, record: Record, as_of: dt.date, fmt: str) -> str:
    from tracker.questions.query import row

    summary = row(records, config, record, as_of)
    if fmt == "json":
        return to_json(_record_json(record, summary, as_of))
    lines = [f"{record.id}  ({record.kind}, {record.path})", title_of(records, record), ""]
    lines += _field_lines(record)
    if isinstance(record, Trackable):
        lines += _standing_lines(config, record, summary, as_of)
    lines += _body_lines(record)
    if isinstance(record, Trackable) and record.history:
        lines += ["", "History:"]
        for event in record.history:
            if event.date > as_of:
                continue
            lines.append("  " + describe_event(config, record.kind, event))
    return visible("\n".join(lines) + "\n")


def shown_value(value: Any) -> str:
    """A field's value on one line, as an edit is described: lists joined with "; ", long text cut short."""
    text = "; ".join(value) if isinstance(value, (list, tuple)) else " ".join(str(value).split())
    return text if len(text) <= 80 else text[:77] + "..."


def describe_event(config: Config, kind: str, event: Any) -> str:
    """One history event as a sentence."""
    parts = [format_date(event.date, config.date_style) + ":"]
    if event.changes_status:
        parts.append(f"{config.label(kind, event.from_status) if event.from_status else '?'} → {config.label(kind, event.status)}")
        if event.event == "response":
            parts.append(f"(response {event.response})")
    elif event.event == "response":
        parts.append(f"response {event.response}")
    elif event.event == "reschedule":
        parts.append(_reschedule_words(config, event))
    elif event.event == "follow-up":
        parts.append("followed up")
    elif event.event == "created":
        parts.append("created")
    elif event.event == "edited":
        parts.append(f"{event.field} changed" + (f" (was: {shown_value(event.old)})" if event.old is not None else ""))
    if event.at_meeting:
        parts.append(f"said at the meeting {event.at_meeting}:")
    if event.note:
        parts.append(("— " if len(parts) > 1 and not event.at_meeting else "") + " ".join(event.note.split()))
    if event.evidence:
        parts.append(f"[evidence: {event.evidence}]")
    if event.by:
        parts.append(f"(by {event.by})")
    return " ".join(parts)


def _reschedule_words(config: Config, event: Any) -> str:
    """A reschedule: the first deadline set, or a deadline moved."""
    if event.previous_due is None:
        return f"first deadline set: {_due_words(config, event.due)}: {event.reason}"
    return f"due date moved from {event.previous_due} to {event.due}: {event.reason}"


def _due_words(config: Config, due: Any) -> str:
    return due.in_words(config.date_style) if due is not None else "none"


SLIP_COLUMNS = [("id", "ID"), ("original_due", "First due"), ("current_due", "Now due"), ("moves", "Moves"),
                ("days_slipped", "Days slipped"), ("responsible", "Responsible"), ("reasons", "Reasons")]


def slippage_table(rows: list[dict[str, Any]], fmt: str, as_of: dt.date, config: Config, *, to_terminal: bool) -> str:
    """Items whose due dates moved, for people (table, markdown) or programs (json, csv)."""
    if fmt == "json":
        return to_json(rows)
    if fmt == "csv":
        return to_csv(rows, ["id", "kind", "committee", "responsible", "status", "original_due", "current_due",
                             "moves", "days_slipped", "reasons", "title"])
    when = format_date(as_of, config.date_style)
    return human_table(fmt, [label for _, label in SLIP_COLUMNS], [[_flat(r[key]) for key, _ in SLIP_COLUMNS] for r in rows],
                       title=f"{len(rows)} items rescheduled as of {when}", empty=f"no due date has moved as of {when}",
                       alarm=[r["moves"] > 1 for r in rows], widths={5: 40, 6: 70}, to_terminal=to_terminal)
