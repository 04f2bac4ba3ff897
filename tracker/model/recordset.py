"""RecordSet: all records of a repository, indexed for the questions the commands ask."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tracker.model.errors import Problem, TrackerError
from tracker.model.numbers import number_key
from tracker.model.records import Meeting, Recommendation, Record, Report, Response

R = TypeVar("R", bound=Record)


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
        return sorted((r for r in self.of(Recommendation) if r.report == report_id), key=lambda r: number_key(r.number))

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
