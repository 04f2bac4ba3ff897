"""Everything a schema cannot check: IDs, references, vocabularies and the order of history."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from tracker import ids
from tracker.config import Config
from tracker.errors import Problem
from tracker.records import Action, Meeting, Recommendation, Record, Report, Response, Trackable
from tracker.store import RecordSet, field_position

FieldPath = tuple[str | int, ...]


class _Collector:
    def __init__(self, config: Config, records: RecordSet):
        self.config = config
        self.records = records
        self.problems: list[Problem] = list(records.problems)

    @cached_property
    def numbers_by_report(self) -> dict[str, set[int]]:
        """Each report's recommendation numbers, gathered once (asking per response is quadratic)."""
        grouped: dict[str, set[int]] = defaultdict(set)
        for recommendation in self.records.of(Recommendation):
            grouped[recommendation.report].add(recommendation.number)
        return grouped

    def add(self, record: Record, field_path: FieldPath, message: str) -> None:
        source = self.records.sources.get(record.path, self.config.root)
        line, column = field_position(source, record.path, field_path) if field_path else (1, 1)
        from tracker.yamlio import dotted

        self.problems.append(Problem(record.path, line, column, message, dotted(field_path)))


def validate(config: Config, records: RecordSet) -> list[Problem]:
    """Every problem in the repository, sorted by file and line."""
    check = _Collector(config, records)
    for first, second in records.duplicates:
        check.add(second, ("id",), f"ID {second.id!r} is also used by {first.path}")
    for record in records:
        _check_one(check, record)
    _check_unique_numbers(check)
    return sorted(set(check.problems))


def check_record(config: Config, records: RecordSet, record: Record) -> list[Problem]:
    """The problems of one record among the others (its ID, committee, statuses, history and references)."""
    check = _Collector(config, records)
    check.problems = []
    _check_one(check, record)
    return sorted(set(check.problems))


def _check_one(check: _Collector, record: Record) -> None:
    _check_identity(check, record)
    if isinstance(record, (Meeting, Action, Report)):
        _check_committee(check, record, record.committee)
    if isinstance(record, Trackable):
        _check_status(check, record)
    if isinstance(record, Recommendation):
        _check_report_reference(check, record)
    if isinstance(record, Response):
        _check_response(check, record)


def _check_identity(check: _Collector, record: Record) -> None:
    stem = _stem(record.path)
    if stem != record.id:
        check.add(record, ("id",), f"ID {record.id!r} does not match the file name {stem}.yaml")
    expected = ids.expected_id(record, check.records)
    if expected and expected != record.id:
        check.add(record, ("id",), f"ID {record.id!r} does not follow the naming scheme; expected {expected!r}")


def _stem(path: str) -> str:
    """PurePosixPath(path).stem, without building a path object per record (a fifth of validating 50,000)."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _check_committee(check: _Collector, record: Record, committee: str) -> None:
    if committee not in check.config.committees:
        known = ", ".join(sorted(check.config.committees)) or "none yet"
        check.add(record, ("committee",), f"unknown committee {committee!r} (tracker.yaml has {known})")


def _check_status(check: _Collector, record: Trackable) -> None:
    vocabulary = check.config.statuses.get(record.kind, {})
    known = ", ".join(vocabulary)
    if record.status not in vocabulary:
        check.add(record, ("status",), f"unknown {record.kind} status {record.status!r} (known: {known})")
    created = check.records.created(record)
    previous = None
    current = None
    for index, event in enumerate(record.history):
        if previous is not None and event.date < previous:
            check.add(record, ("history", index, "date"), f"event dated {event.date} comes after one dated {previous}; keep history in date order")
        if created is not None and event.date < created:
            check.add(record, ("history", index, "date"), f"event dated {event.date} is before the record was created ({created})")
        previous = event.date
        for name, slug in (("from", event.from_status), ("status", event.status)):
            if slug and slug not in vocabulary:
                check.add(record, ("history", index, name), f"unknown {record.kind} status {slug!r} (known: {known})")
        if event.changes_status:
            if current is not None and event.from_status and event.from_status != current:
                check.add(record, ("history", index, "from"), f"status was {current!r} before this event, not {event.from_status!r}")
            current = event.status
        if event.event == "response" and event.response:
            response = check.records.records.get(event.response)
            if not isinstance(response, Response):
                check.add(record, ("history", index, "response"), f"no response record {event.response!r}")
    if current is not None and current != record.status:
        check.add(record, ("status",), f"status is {record.status!r} but the last status event sets {current!r}")


def _check_report_reference(check: _Collector, record: Recommendation | Response) -> Report | None:
    report = check.records.records.get(record.report)
    if not isinstance(report, Report):
        if record.report not in check.records.broken_ids:
            check.add(record, ("report",), f"no report with ID {record.report!r}")
        return None
    return report


def _check_response(check: _Collector, response: Response) -> None:
    if _check_report_reference(check, response) is None:
        return
    numbers = check.numbers_by_report.get(response.report, set())
    seen: set[int] = set()
    for index, answer in enumerate(response.answers):
        if answer.number not in numbers:
            check.add(response, ("recommendations", index, "number"), f"report {response.report} has no recommendation {answer.number}")
        if answer.number in seen:
            check.add(response, ("recommendations", index, "number"), f"recommendation {answer.number} is answered twice")
        seen.add(answer.number)


def _check_unique_numbers(check: _Collector) -> None:
    by_report: dict[tuple[str, int], list[Recommendation]] = defaultdict(list)
    for recommendation in check.records.of(Recommendation):
        by_report[(recommendation.report, recommendation.number)].append(recommendation)
    for (report, number), same in by_report.items():
        for extra in same[1:]:
            check.add(extra, ("number",), f"report {report} already has recommendation {number} ({same[0].path})")
