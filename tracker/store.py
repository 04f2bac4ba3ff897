"""Reading a records repository into a RecordSet: every record, typed, plus every problem found on the way."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from tracker.config import RECORDS_DIR, Config
from tracker.errors import Problem, TrackerError
from tracker.records import FieldError, Meeting, Recommendation, Record, Report, Response, build_record
from tracker.schemas import KINDS, locate, schema_problems
from tracker.yamlio import Marks, decode, dotted, load_text, read_bytes

R = TypeVar("R", bound=Record)


def parse_record(rel_path: str, data: bytes) -> tuple[Record | None, list[Problem]]:
    """One file's bytes to a typed record, or the problems that stop it being one."""
    try:
        text = decode(data, rel_path)
        mapping = load_text(text, rel_path)
    except TrackerError as err:
        return None, err.problems or [Problem(rel_path, message=err.message)]

    def at(field_path: tuple[str | int, ...], message: str) -> Problem:
        # Positions are only worked out for the rare file that has a problem.
        marks: Marks = {}
        load_text(text, rel_path, marks)
        line, column = locate(marks, field_path)
        return Problem(rel_path, line, column, message, dotted(field_path))

    if not isinstance(mapping, dict):
        return None, [at((), "a record must be a mapping of fields (field: value)")]
    kind = mapping.get("kind")
    if kind not in KINDS:
        return None, [at(("kind",), f"kind must be one of {', '.join(KINDS)}; got {kind!r}")]
    problems = schema_problems(kind, mapping, rel_path)
    if problems:
        marks: Marks = {}
        load_text(text, rel_path, marks)
        located = schema_problems(kind, mapping, rel_path, marks)
        if isinstance(mapping.get("id"), str):
            located = [replace(p, record_id=mapping["id"]) for p in located]
        return None, located
    try:
        return build_record(mapping, rel_path), []
    except FieldError as err:
        return None, [at(err.field, str(err))]


def field_position(source: Path | bytes, rel_path: str, field_path: tuple[str | int, ...]) -> tuple[int, int]:
    """Where a field sits in a record file (its bytes, or the repository root to read it from), for messages
    about problems found after loading."""
    try:
        data = source if isinstance(source, bytes) else read_bytes(source / rel_path)
        marks: Marks = {}
        load_text(decode(data, rel_path), rel_path, marks)
        return locate(marks, field_path)
    except TrackerError:
        return (0, 0)


@dataclass
class RecordSet:
    """All records of a repository, indexed for the questions the commands ask."""

    records: dict[str, Record] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[tuple[Record, Record]] = field(default_factory=list)
    # Each loaded file's bytes, so problems found later are located in the text that was read (even from --ref).
    sources: dict[str, bytes] = field(default_factory=dict)

    @property
    def broken_ids(self) -> set[str]:
        """IDs of records whose files exist but failed to load, so references to them are not reported twice."""
        return {p.record_id for p in self.problems if p.record_id}

    def add(self, record: Record) -> None:
        if record.id in self.records:
            self.duplicates.append((self.records[record.id], record))
        else:
            self.records[record.id] = record

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records.values())

    def __len__(self) -> int:
        return len(self.records)

    def of(self, cls: type[R]) -> list[R]:
        return [record for record in self.records.values() if isinstance(record, cls)]

    def get(self, record_id: str, cls: type[R] | None = None) -> R:
        """The record with that ID, or an error suggesting the closest IDs."""
        record = self.records.get(record_id)
        if record is not None and (cls is None or isinstance(record, cls)):
            return record  # type: ignore[return-value]
        what = cls.KIND if cls else "record"
        candidates = [r.id for r in self.records.values() if cls is None or isinstance(r, cls)]
        close = difflib.get_close_matches(record_id, candidates, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(close)}?" if close else "run `tracker list` to see the IDs"
        raise TrackerError(f"no {what} with ID {record_id!r}", hint=hint)

    def report(self, ref: str) -> Report:
        """A report by ID or by slug."""
        if ref in self.records and isinstance(self.records[ref], Report):
            return self.records[ref]  # type: ignore[return-value]
        matches = [r for r in self.of(Report) if r.slug == ref]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise TrackerError(f"report slug {ref!r} is used by {', '.join(r.id for r in matches)}; give the report ID")
        return self.get(ref, Report)

    def recommendations_of(self, report_id: str) -> list[Recommendation]:
        return sorted((r for r in self.of(Recommendation) if r.report == report_id), key=lambda r: r.number)

    def responses_to(self, report_id: str) -> list[Response]:
        return sorted((r for r in self.of(Response) if r.report == report_id), key=lambda r: (r.date, r.id))

    def meetings_of(self, committee: str) -> list[Meeting]:
        return sorted((m for m in self.of(Meeting) if m.committee == committee), key=lambda m: m.date)

    def committee_of(self, record: Record) -> str:
        if isinstance(record, (Recommendation, Response)):
            report = self.records.get(record.report)
            return report.committee if isinstance(report, Report) else ""
        return str(getattr(record, "committee", ""))

    def created(self, record: Record) -> Any:
        """When a trackable record came into being: its own date, else its meeting or its report's publication."""
        created = getattr(record, "created", None)
        if created is None and isinstance(record, Recommendation):
            report = self.records.get(record.report)
            if isinstance(report, Report):
                return report.published.first_day()
        return created

    def responses_by_report(self) -> dict[str, list[Response]]:
        grouped: dict[str, list[Response]] = defaultdict(list)
        for response in self.of(Response):
            grouped[response.report].append(response)
        return grouped


def record_files(root: Path) -> list[Path]:
    """Every record file of the repository, in a stable order."""
    return sorted((root / RECORDS_DIR).rglob("*.yaml"))


def read_sources(root: Path, paths: Iterable[Path]) -> Iterator[tuple[str, bytes | Problem]]:
    """Each file's bytes, or the Problem that stops it being read (a symlink out of the repository is one)."""
    resolved_root = root.resolve()
    for path in paths:
        rel = path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix()
        real = (root / rel).resolve()
        if resolved_root not in real.parents:
            yield rel, Problem(rel, message="is a link to a file outside the records repository; refusing to read it")
            continue
        try:
            yield rel, read_bytes(root / rel)
        except TrackerError as err:
            yield rel, replace(err.problems[0], path=rel)


def build_set(sources: Iterable[tuple[str, bytes | Problem]]) -> RecordSet:
    """A RecordSet from (relative path, bytes) pairs; unreadable or invalid files become problems."""
    records = RecordSet()
    for rel, data in sources:
        if isinstance(data, Problem):
            records.problems.append(data)
            continue
        record, problems = parse_record(rel, data)
        records.problems.extend(problems)
        if record is not None:
            records.sources[rel] = data
            records.add(record)
    return records


def load_records(config: Config, paths: Iterable[Path] | None = None) -> RecordSet:
    """Load the repository's records (or just the given files) from the working tree."""
    root = config.root
    return build_set(read_sources(root, record_files(root) if paths is None else paths))
