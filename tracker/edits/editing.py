"""Editing a record's file by hand: check the new text as the record it would become, before it replaces the old."""

from __future__ import annotations

from tracker.model.errors import Problem
from tracker.model.records import Record
from tracker.model.recordset import RecordSet
from tracker.storage.config import Config
from tracker.storage.reading import parse_record

ERROR_MARK = "# tracker: "


def strip_errors(text: str) -> str:
    """The text without the error lines a previous failed save put at its top."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith(ERROR_MARK):
        lines.pop(0)
    return "".join(lines)


def with_errors(text: str, problems: list[Problem]) -> str:
    """The text with its problems as comment lines at the top, for the clerk to see when the editor reopens."""
    header = [f"{ERROR_MARK}{problem}\n" for problem in problems]
    header.append(f"{ERROR_MARK}fix the above and save; quit without saving to keep the file as it was\n")
    return "".join(header) + strip_errors(text)


def check_edit(config: Config, records: RecordSet, record: Record, text: str) -> list[Problem]:
    """Every problem the edited text would have, among the other records; empty when it may be saved."""
    from tracker.storage.validate import salvaged_problems, validate

    data = text.encode("utf-8")
    new, problems = parse_record(record.path, data)
    if new is None:
        return sorted(problems + salvaged_problems(config, record.path, data, problems))
    if new.id != record.id:
        return [Problem(record.path, 1, 1, f"the ID must stay {record.id!r} (it names the file)", "id")]
    trial = RecordSet(dict(records.records))
    trial.records[record.id] = new
    return [p for p in validate(config, trial) if p.path == record.path]
