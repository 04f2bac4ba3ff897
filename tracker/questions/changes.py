"""What a branch, a pull request or the working tree changes, record by record.

Both sides are read without a checkout (git's object store, or the working tree), parsed, and compared by record
ID: added, removed, renamed (same content under a new ID or path), status transitions, new history events and
edited fields. A file that does not parse on either side is reported with its problems, never fatal.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.model.errors import Problem
from tracker.model.records import Event, Record, Trackable
from tracker.storage.config import Config

SHORT = 40
CHANGE_KINDS = ("added", "removed", "renamed", "modified", "malformed")


@dataclass
class RecordChange:
    """How one record differs between the two sides."""

    id: str
    kind: str
    change: str  # added | removed | renamed | modified | malformed
    path: str
    old_path: str = ""
    old_id: str = ""
    status_from: str = ""
    status_to: str = ""
    events: list[Event] = field(default_factory=list)
    removed_events: list[Event] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "change": self.change, "path": self.path,
            "old_path": self.old_path or None, "old_id": self.old_id or None,
            "status": {"from": self.status_from, "to": self.status_to} if self.status_from != self.status_to else None,
            "new_events": [event.to_json() for event in self.events],
            "removed_events": [event.to_json() for event in self.removed_events],
            "fields": self.fields, "problems": self.problems,
        }


@dataclass
class ChangeReport:
    base: str
    head: str
    records: list[RecordChange]

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head, "records": [r.to_json() for r in self.records]}


Side = dict[str, bytes]


def compare(root: Path, rev_range: str | None) -> ChangeReport:
    """Compare the two sides a revision range names (see `tracker changes --help`)."""
    from tracker.storage import gitio

    if rev_range is None:
        base_label, base = "HEAD", (gitio.tree_sources(root, "HEAD") if gitio.has_commits(root) else [])
        head_label, head = "working tree", _working_tree(root)
    elif "..." in rev_range:
        left, right = rev_range.split("...", 1)
        right = right or "HEAD"
        merge_base = gitio.merge_base(root, left or "HEAD", right)
        base_label, base = f"{left or 'HEAD'} (merge base {merge_base[:7]})", gitio.tree_sources(root, merge_base)
        head_label, head = right, gitio.tree_sources(root, right)
    elif ".." in rev_range:
        left, right = rev_range.split("..", 1)
        base_label, base = left or "HEAD", gitio.tree_sources(root, left or "HEAD")
        head_label, head = right or "HEAD", gitio.tree_sources(root, right or "HEAD")
    else:
        base_label, base = rev_range, gitio.tree_sources(root, rev_range)
        head_label, head = "working tree", _working_tree(root)
    return ChangeReport(base_label, head_label, diff_sides(dict(base), dict(head)))


def _working_tree(root: Path) -> list[tuple[str, bytes]]:
    from tracker.storage.reading import read_sources, record_files

    return [(rel, data if isinstance(data, bytes) else b"") for rel, data in read_sources(root, record_files(root))]


def _parse(sources: Side) -> tuple[dict[str, Record], dict[str, list[Problem]]]:
    from tracker.storage.reading import parse_record

    records: dict[str, Record] = {}
    broken: dict[str, list[Problem]] = {}
    for rel, data in sorted(sources.items()):
        record, problems = parse_record(rel, data)
        if record is None:
            broken[rel] = problems or [Problem(rel, message="cannot be read")]
        elif record.id in records:
            broken[rel] = [Problem(rel, message=f"ID {record.id!r} is also used by {records[record.id].path}")]
        else:
            records[record.id] = record
    return records, broken


def diff_sides(base: Side, head: Side) -> list[RecordChange]:
    """Record-by-record differences between two {relative path: bytes} snapshots."""
    same = {path for path in base.keys() & head.keys() if base[path] == head[path]}
    old, old_broken = _parse({p: d for p, d in base.items() if p not in same})
    new, new_broken = _parse({p: d for p, d in head.items() if p not in same})
    out: list[RecordChange] = []
    for path, problems in new_broken.items():
        was = next((r for r in old.values() if r.path == path), None)
        out.append(RecordChange(was.id if was else Path(path).stem, was.kind if was else "", "malformed", path,
                                problems=[_problem_text(p) for p in problems]))
        if was is not None:
            del old[was.id]
    for path, problems in old_broken.items():
        now = next((r for r in new.values() if r.path == path), None)
        if now is None and path not in head:
            out.append(RecordChange(Path(path).stem, "", "removed", path,
                                    problems=["was malformed: " + _problem_text(p) for p in problems]))
    for record_id in sorted(old.keys() & new.keys()):
        change = _modified(old[record_id], new[record_id], base, head)
        if change is not None:
            out.append(change)
    removed = [old[i] for i in sorted(old.keys() - new.keys())]
    added = [new[i] for i in sorted(new.keys() - old.keys())]
    for record in list(added):
        match = _renamed_from(record, removed, base, head)
        if match is not None:
            removed.remove(match)
            added.remove(record)
            change = _modified(match, record, base, head) or RecordChange(record.id, record.kind, "renamed", record.path)
            change.change = "renamed"
            change.old_id, change.old_path = match.id, match.path
            out.append(change)
    for record in added:
        was_broken = old_broken.get(record.path)
        change = RecordChange(record.id, record.kind, "added", record.path, status_to=_status(record),
                              status_from=_status(record), fields=[_describe_new(record)])
        if was_broken:
            change.change = "modified"
            change.fields = ["repaired: it did not parse before (" + _problem_text(was_broken[0]) + ")"]
        out.append(change)
    for record in removed:
        out.append(RecordChange(record.id, record.kind, "removed", record.path, status_from=_status(record),
                                status_to=_status(record)))
    return sorted(out, key=lambda c: (c.path, c.id))


def _describe_new(record: Record) -> str:
    """A few words saying what an added record is."""
    data = record.to_json()
    if record.kind == "response":
        numbers = ", ".join(str(a["number"]) for a in data["recommendations"])
        return f"response from {data['from']} dated {data['date']} to recommendations {numbers}"
    if record.kind == "recommendation":
        return f"recommendation {data['number']} of {data['report']}"
    if record.kind == "meeting":
        return f"meeting on {data['date']}"
    text = str(data.get("title") or data.get("text") or "")
    return f"new {record.kind}: " + (text if len(text) <= 80 else text[:79] + "…")


def _status(record: Record) -> str:
    return record.status if isinstance(record, Trackable) else ""


def _problem_text(problem: Problem) -> str:
    where = f"line {problem.line}: " if problem.line else ""
    return where + (f"{problem.field}: " if problem.field else "") + problem.message


def _renamed_from(record: Record, removed: list[Record], base: Side, head: Side) -> Record | None:
    """The removed record this added one most resembles (same kind, mostly the same text), if any."""
    best, best_ratio = None, 0.75
    new_text = head[record.path].decode("utf-8", "replace").replace(record.id, "")
    for candidate in removed:
        if candidate.kind != record.kind:
            continue
        old_text = base[candidate.path].decode("utf-8", "replace").replace(candidate.id, "")
        ratio = difflib.SequenceMatcher(None, old_text, new_text).ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best


def _modified(old: Record, new: Record, base: Side, head: Side) -> RecordChange | None:
    change = RecordChange(new.id, new.kind, "modified", new.path, status_from=_status(old), status_to=_status(new))
    if old.path != new.path:
        change.old_path = old.path
        change.fields.append(f"moved from {old.path}")
    old_events = list(old.history) if isinstance(old, Trackable) else []
    new_events = list(new.history) if isinstance(new, Trackable) else []
    if new_events[: len(old_events)] == old_events:
        change.events = new_events[len(old_events):]
    else:
        remaining = list(new_events)
        for event in old_events:
            if event in remaining:
                remaining.remove(event)
            else:
                change.removed_events.append(event)
        change.events = remaining
    before, after = old.to_json(), new.to_json()
    for key in sorted(set(before) | set(after), key=lambda k: list(after).index(k) if k in after else 0):
        if key in ("history", "status", "id") or before.get(key) == after.get(key):
            continue
        change.fields.append(_field_change(key, before.get(key), after.get(key)))
    if not (change.fields or change.events or change.removed_events or change.status_from != change.status_to):
        if base.get(old.path) == head.get(new.path):
            return None
        change.fields.append("comments or layout only")
    return change


def _field_change(key: str, old: Any, new: Any) -> str:
    def short(value: Any) -> str | None:
        if value is None:
            return "(none)"
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        return text if len(text) <= SHORT and "\n" not in text else None

    old_text, new_text = short(old), short(new)
    if old_text is not None and new_text is not None:
        return f"{key}: {old_text} → {new_text}"
    return f"{key} edited"


def details(config: Config, change: RecordChange) -> list[str]:
    """The change in words, one item per line: renames, new events, removed events, edited fields, problems."""
    from tracker.questions.output import describe_event

    out = []
    if change.change == "renamed":
        out.append(f"renamed from {change.old_id}" if change.old_id != change.id else f"moved from {change.old_path}")
    out += ["new event: " + describe_event(config, change.kind, e) for e in change.events]
    out += ["event removed: " + describe_event(config, change.kind, e) for e in change.removed_events]
    out += [f for f in change.fields if not (change.change == "renamed" and f.startswith("moved from"))]
    out += change.problems
    return out


def _status_cell(change: RecordChange) -> str:
    if change.status_from != change.status_to:
        return f"{change.status_from} → {change.status_to}"
    return change.status_to


def summary_line(report: ChangeReport) -> str:
    count = len(report.records)
    transitions = sum(1 for c in report.records if c.change != "added" and c.status_from != c.status_to)
    counts = [(sum(1 for c in report.records if c.change == kind), kind) for kind in CHANGE_KINDS]
    parts = [f"{n} {kind}" for n, kind in counts if n]
    if transitions:
        parts.append(f"{transitions} status change{'s' if transitions != 1 else ''}")
    head = f"{count} record{'s' if count != 1 else ''} changed from {report.base} to {report.head}"
    return head + (f": {', '.join(parts)}" if parts else "")


def render(report: ChangeReport, fmt: str, config: Config) -> str:
    """table (plain text), markdown (a table to paste into a pull request) or json."""
    from tracker.questions.output import plain_table, to_json
    from tracker.text import markdown

    if fmt == "json":
        data = report.to_json()
        for item, change in zip(data["records"], report.records, strict=True):
            item["details"] = details(config, change)
        return to_json(data)
    headers = ["Record", "Change", "Status", "Details"]
    if fmt == "markdown":
        rows = [[c.id, c.change, _status_cell(c), "\n\n".join(details(config, c))] for c in report.records]
        lines = [f"**{summary_line(report)}**", ""]
        if rows:
            lines.append(markdown.table(headers, rows).rstrip("\n"))
        return "\n".join(lines) + "\n"
    if not report.records:
        return summary_line(report) + "\n"
    rows = [[c.id, c.change, _status_cell(c), "; ".join(details(config, c))] for c in report.records]
    return summary_line(report) + "\n\n" + plain_table(headers, rows)
