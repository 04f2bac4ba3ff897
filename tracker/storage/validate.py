"""Everything a schema cannot check: IDs, references, vocabularies and the order of history.

The checks come in two parts. A record's own checks (its ID against its file name and the naming scheme, its
committee, its statuses and the order of its history) depend on nothing but the record and tracker.yaml, so they
can run where the file is parsed and be kept with it. The checks across records (duplicate IDs, references to
reports and responses, recommendation numbers, dates before a report's publication) need only a few facts of each
record (`Facts`), so a repository of any size is checked across without building its records again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from tracker.model import ids
from tracker.model.errors import Problem
from tracker.model.records import Action, Meeting, Recommendation, Record, Report, Response, Trackable
from tracker.model.recordset import RecordSet
from tracker.storage.config import Config
from tracker.storage.positions import field_position
from tracker.storage.yamlio import dotted

FieldPath = tuple[str | int, ...]
# Where a field sits in a file: (path, field path) -> (line, column).
Locate = Callable[[str, FieldPath], tuple[int, int]]


class Facts(NamedTuple):
    """What the checks across records need of one record; plain values, so the cache can keep them."""

    path: str
    id: str
    kind: str
    report: str = ""  # of a recommendation or response
    number: int = 0  # of a recommendation
    published: str = ""  # a report's first possible publication day (ISO)
    # A recommendation without its own creation date was created when its report was published: its history's
    # (index, ISO date) pairs are checked against that day.
    undated_events: tuple[tuple[int, str], ...] = ()
    response_refs: tuple[tuple[int, str], ...] = ()  # (history index, response ID) of response events
    answers: tuple[int, ...] = ()  # the recommendation numbers a response answers, in order


def facts_of(record: Record) -> Facts:
    report = published = ""
    number = 0
    undated: tuple[tuple[int, str], ...] = ()
    refs: tuple[tuple[int, str], ...] = ()
    answers: tuple[int, ...] = ()
    if isinstance(record, Trackable):
        refs = tuple((index, event.response) for index, event in enumerate(record.history)
                     if event.event == "response" and event.response)
    if isinstance(record, Recommendation):
        report, number = record.report, record.number
        if record.created is None:
            undated = tuple((index, event.date.isoformat()) for index, event in enumerate(record.history))
    elif isinstance(record, Response):
        report, answers = record.report, record.numbers
    elif isinstance(record, Report):
        published = record.published.first_day().isoformat()
    return Facts(record.path, record.id, record.kind, report, number, published, undated, refs, answers)


def local_problems(config: Config, record: Record, source: bytes | Path) -> list[Problem]:
    """The problems of a record on its own (with tracker.yaml); source is its file's bytes, or the repository
    root to read them from, for the problems' positions."""
    found: list[Problem] = []

    def add(field_path: FieldPath, message: str) -> None:
        line, column = field_position(source, record.path, field_path) if field_path else (1, 1)
        found.append(Problem(record.path, line, column, message, dotted(field_path)))

    _check_identity(add, record)
    if isinstance(record, (Meeting, Action, Report)):
        _check_committee(add, config, record.committee)
    if isinstance(record, Trackable):
        _check_status(add, config, record)
    return found


def across(facts: list[Facts], broken_ids: set[str], locate: Locate, only: str | None = None,
           ) -> tuple[list[Problem], set[str]]:
    """The problems found across records, given every loaded record's facts in load order (the first of two
    records with one ID is the one kept), and the paths of the records that are not kept for their ID. With only,
    just that record's references are checked (no duplicate IDs or numbers)."""
    found: list[Problem] = []

    def add(fact: Facts, field_path: FieldPath, message: str) -> None:
        line, column = locate(fact.path, field_path)
        found.append(Problem(fact.path, line, column, message, dotted(field_path)))

    kept, shadowed = _kept_by_id(facts, add, report_duplicates=only is None)
    numbers: dict[str, set[int]] = defaultdict(set)
    for fact in kept.values():
        if fact.kind == "recommendation":
            numbers[fact.report].add(fact.number)
    for fact in kept.values():
        if only is None or fact.path == only:
            _check_references(fact, kept, numbers, broken_ids, add)
    if only is None:
        _check_numbers_used_once(kept, add)
    return found, shadowed


# Records a problem found across records: the record's facts, the field, the message.
AddProblem = Callable[[Facts, FieldPath, str], None]


def _kept_by_id(facts: list[Facts], add: AddProblem, *, report_duplicates: bool) -> tuple[dict[str, Facts], set[str]]:
    """The first record of each ID, by ID, and the paths of the later ones (each a problem when asked)."""
    kept: dict[str, Facts] = {}
    shadowed: set[str] = set()
    for fact in facts:
        first = kept.setdefault(fact.id, fact)
        if first is not fact:
            shadowed.add(fact.path)
            if report_duplicates:
                add(fact, ("id",), f"ID {fact.id!r} is also used by {first.path}")
    return kept, shadowed


def _check_references(fact: Facts, kept: dict[str, Facts], numbers: dict[str, set[int]], broken_ids: set[str],
                      add: AddProblem) -> None:
    """One record's references: the responses its history names and, for a recommendation or response, its report
    with the dates and recommendation numbers that depend on it."""
    for index, response_id in fact.response_refs:
        target = kept.get(response_id)
        if target is None or target.kind != "response":
            add(fact, ("history", index, "response"), f"no response record {response_id!r}")
    if fact.kind not in ("recommendation", "response"):
        return
    report = kept.get(fact.report)
    if report is None or report.kind != "report":
        if fact.report not in broken_ids:
            add(fact, ("report",), f"no report with ID {fact.report!r}")
        return
    for index, date in fact.undated_events:
        if date < report.published:
            add(fact, ("history", index, "date"), f"event dated {date} is before the record was created ({report.published})")
    _check_answers(fact, numbers[fact.report], add)


def _check_answers(fact: Facts, numbers: set[int], add: AddProblem) -> None:
    """A response answers only recommendations its report has, each once."""
    seen: set[int] = set()
    for index, number in enumerate(fact.answers):
        if number not in numbers:
            add(fact, ("recommendations", index, "number"), f"report {fact.report} has no recommendation {number}")
        if number in seen:
            add(fact, ("recommendations", index, "number"), f"recommendation {number} is answered twice")
        seen.add(number)


def _check_numbers_used_once(kept: dict[str, Facts], add: AddProblem) -> None:
    """No two recommendations of a report share a number; the later ones are the problems."""
    by_number: dict[tuple[str, int], list[Facts]] = defaultdict(list)
    for fact in kept.values():
        if fact.kind == "recommendation":
            by_number[(fact.report, fact.number)].append(fact)
    for (report_id, number), same in by_number.items():
        for extra in same[1:]:
            add(extra, ("number",), f"report {report_id} already has recommendation {number} ({same[0].path})")


def combine(failed: Iterable[Problem], kept: Iterable[tuple[Facts, list[Problem]]], locate: Locate) -> list[Problem]:
    """Every problem of a repository, sorted by file and line: those of the files that are not records (failed),
    and of each record in load order with its own problems (kept)."""
    failed = list(failed)
    entries = list(kept)
    broken = {p.record_id for p in failed if p.record_id}
    problems, shadowed = across([fact for fact, _ in entries], broken, locate)
    problems.extend(failed)
    for fact, own in entries:
        if fact.path not in shadowed:  # a record that lost its ID to another is reported for that alone
            problems.extend(own)
    return sorted(set(problems))


def validate(config: Config, records: RecordSet) -> list[Problem]:
    """Every problem in the repository, sorted by file and line."""
    locate = _locator(config, records)
    # The records kept for their IDs first, in load order, then those that lost their ID to one of them.
    loaded = [*records.records.values(), *(second for _, second in records.duplicates)]
    own = {record.path: local_problems(config, record, records.sources.get(record.path, config.root))
           for record in records.records.values()}
    return combine(records.problems, ((facts_of(record), own.get(record.path, [])) for record in loaded), locate)


def check_record(config: Config, records: RecordSet, record: Record) -> list[Problem]:
    """The problems of one record among the others (its ID, committee, statuses, history and references)."""
    locate = _locator(config, records)
    others = [facts_of(other) for other in records.records.values() if other.path != record.path]
    broken = {p.record_id for p in records.problems if p.record_id}
    found, _ = across([facts_of(record), *others], broken, locate, only=record.path)
    source = records.sources.get(record.path, config.root)
    return sorted(set(local_problems(config, record, source) + found))


def _locator(config: Config, records: RecordSet) -> Locate:
    def locate(path: str, field_path: FieldPath) -> tuple[int, int]:
        return field_position(records.sources.get(path, config.root), path, field_path) if field_path else (1, 1)

    return locate


Add = Callable[[FieldPath, str], None]


def _check_identity(add: Add, record: Record) -> None:
    stem = _stem(record.path)
    if stem != record.id:
        add(("id",), f"ID {record.id!r} does not match the file name {stem}.yaml")
    expected = ids.expected_id(record)
    if expected and expected != record.id:
        add(("id",), f"ID {record.id!r} does not follow the naming scheme; expected {expected!r}")


def _stem(path: str) -> str:
    """PurePosixPath(path).stem, without building a path object per record (a fifth of validating 50,000)."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _check_committee(add: Add, config: Config, committee: str) -> None:
    if committee not in config.committees:
        known = ", ".join(sorted(config.committees)) or "none yet"
        add(("committee",), f"unknown committee {committee!r} (tracker.yaml has {known})")


def _check_status(add: Add, config: Config, record: Trackable) -> None:
    vocabulary = config.statuses.get(record.kind, {})
    known = ", ".join(vocabulary)
    if record.status not in vocabulary:
        add(("status",), f"unknown {record.kind} status {record.status!r} (known: {known})")
    created = record.created  # a recommendation without one is checked against its report's publication, across
    previous = None
    current = None
    for index, event in enumerate(record.history):
        if previous is not None and event.date < previous:
            add(("history", index, "date"), f"event dated {event.date} comes after one dated {previous}; keep history in date order")
        if created is not None and event.date < created:
            add(("history", index, "date"), f"event dated {event.date} is before the record was created ({created})")
        previous = event.date
        for name, slug in (("from", event.from_status), ("status", event.status)):
            if slug and slug not in vocabulary:
                add(("history", index, name), f"unknown {record.kind} status {slug!r} (known: {known})")
        if event.changes_status:
            if current is not None and event.from_status and event.from_status != current:
                add(("history", index, "from"), f"status was {current!r} before this event, not {event.from_status!r}")
            current = event.status
    if current is not None and current != record.status:
        add(("status",), f"status is {record.status!r} but the last status event sets {current!r}")
