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
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from tracker.model import ids
from tracker.model.dependencies import group
from tracker.model.errors import Problem, TrackerError
from tracker.model.numbers import Number
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
    number: Number = 0  # of a recommendation
    published: str = ""  # a report's first possible publication day (ISO)
    # A recommendation without its own creation date was created when its report was published: its history's
    # (index, ISO date) pairs are checked against that day.
    undated_events: tuple[tuple[int, str], ...] = ()
    response_refs: tuple[tuple[int, str], ...] = ()  # (history index, response ID) of response events
    answers: tuple[Number, ...] = ()  # the recommendation numbers a response answers, in order
    meeting: str = ""  # the ID of the meeting an action arose at


def facts_of(record: Record) -> Facts:
    report = published = ""
    number: Number = 0
    undated: tuple[tuple[int, str], ...] = ()
    refs: tuple[tuple[int, str], ...] = ()
    answers: tuple[Number, ...] = ()
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
    meeting = ""
    if isinstance(record, Action) and record.meeting is not None:
        meeting = ids.meeting_id(record.committee, record.meeting)
    elif isinstance(record, Report):
        meeting = record.presented_at
    return Facts(record.path, record.id, record.kind, report, number, published, undated, refs, answers, meeting)


def check_needs(record: Record) -> tuple[str, ...]:
    """What the checks across records read of others for this record, besides the records that share a name with
    it (another with its ID; the other recommendations of its report): the records its facts refer to (see across)
    — the responses its history names, the meeting it arose at or was presented to, its report — and for a response
    the recommendations it answers."""
    fact = facts_of(record)
    needs = [response_id for _, response_id in fact.response_refs]
    if fact.meeting:
        needs.append(fact.meeting)
    if fact.report:
        needs.append(fact.report)
    if fact.kind == "response":
        needs.append(group(fact.report, "recommendation"))
        needs.extend(ids.recommendation_id(fact.report, number) for number in fact.answers)
    return tuple(needs)


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
    if config.body_aliases:
        _check_bodies(add, config, record)
    if isinstance(record, Trackable):
        _check_status(add, config, record)
    return found


# Stand-ins for required fields a file lacks or gets wrong, so the rest of it can still be checked (salvaged).
_STAND_INS: dict[str, object] = {
    "committee": "", "text": "-", "to": ["-"], "responsible": "-", "report": "-", "number": 1, "date": "2000-01-01",
    "published": "2000", "slug": "-", "title": "-", "from": "-", "summary": "-", "recommendations": [],
    "meeting": "2000-01-01", "item": "1", "item_title": "-", "created": "2000-01-01",
}
# The fields an ID is made from: with one of them stood in for, the ID cannot be checked.
_ID_FIELDS = frozenset({"id", "committee", "meeting", "item", "report", "number", "date", "from", "slug", "standing"})


def salvaged_problems(config: Config, rel_path: str, source: bytes | Path, problems: list[Problem]) -> list[Problem]:
    """The problems of a file that breaks its schema beyond those the schema found (problems), so one run shows
    them all: an unknown committee or status, history out of order. The fields the schema faulted are stood in
    for and left out of what is reported; a file that cannot be read as a mapping of fields gives nothing more."""
    from tracker.model.records import FieldError, build_record
    from tracker.storage.schemas import KINDS, load_schema, schema_problems
    from tracker.storage.yamlio import decode, load_text, read_bytes

    if not problems or not any(p.field for p in problems):
        return []
    try:
        data = source if isinstance(source, bytes) else read_bytes(source / rel_path)
        mapping = load_text(decode(data, rel_path), rel_path)
    except (TrackerError, OSError):
        return []
    kind = mapping.get("kind") if isinstance(mapping, dict) else None
    if kind not in KINDS:
        return []
    faulted = {p.field for p in problems if p.field}
    statuses = config.statuses.get(kind, {})
    stem = rel_path.rpartition("/")[2].removesuffix(".yaml")
    stand_ins = {**_STAND_INS, "id": stem, "status": next(iter(statuses), "-")}
    repaired = {key: value for key, value in mapping.items() if key not in faulted}
    if isinstance(repaired.get("history"), list):
        repaired["history"] = _repaired_history(repaired["history"], faulted, stand_ins)
    required = list(load_schema(kind).get("required", []))
    if kind == "action":
        required += ["created", "title"] if repaired.get("standing") is True else ["meeting", "item", "item_title"]
    for name in required:
        if name not in repaired and name in stand_ins:
            repaired[name] = stand_ins[name]
            faulted.add(name)
    if schema_problems(kind, repaired, rel_path):
        return []
    try:
        record = build_record(repaired, rel_path)
    except (FieldError, KeyError, TypeError, ValueError):
        return []
    record_id = next((p.record_id for p in problems if p.record_id), stem)
    id_unsure = any(_top(name) in _ID_FIELDS for name in faulted)
    return [replace(p, record_id=record_id) for p in local_problems(config, record, data)
            if not any(_within_field(p.field, name) for name in faulted) and not (p.field == "id" and id_unsure)]


_EVENT_NEEDS = {"status": ("from", "status"), "note": ("note",), "reschedule": ("due", "reason"), "response": ("response",)}


def _repaired_history(history: list[object], faulted: set[str], stand_ins: dict[str, object]) -> list[object]:
    """The history with each faulted event field stood in for (and added to faulted), keeping every event's place."""
    repaired: list[object] = []
    last_date: object = stand_ins["created"]
    for index, event in enumerate(history):
        at = f"history[{index}]"
        if not isinstance(event, dict) or at in faulted:
            faulted.add(at)
            repaired.append({"date": last_date, "event": "note", "note": "-"})
            continue
        fixed = {key: value for key, value in event.items() if f"{at}.{key}" not in faulted}
        needs = ("date", "event", *_EVENT_NEEDS.get(str(fixed.get("event")), ()))
        for name in needs:
            if name not in fixed:
                fixed[name] = {"date": last_date, "event": "note", "due": "2000"}.get(name, stand_ins.get(name, "-"))
                faulted.add(f"{at}.{name}")
        if fixed.get("event") == "note" and "note" not in fixed:
            fixed["note"] = "-"
        last_date = fixed["date"]
        repaired.append(fixed)
    return repaired


def _within_field(field: str, faulted: str) -> bool:
    return field == faulted or field.startswith((faulted + ".", faulted + "["))


def _top(field: str) -> str:
    """The top-level field of a dotted field path: history[2].date → history."""
    return field.partition(".")[0].partition("[")[0]


def with_salvaged(config: Config, failed: Iterable[Problem], sources: dict[str, bytes], root: Path) -> list[Problem]:
    """The problems of the files that are not records, each file's salvaged problems added (see salvaged_problems)."""
    by_path: dict[str, list[Problem]] = defaultdict(list)
    for problem in failed:
        by_path[problem.path].append(problem)
    out: list[Problem] = []
    for path, problems in by_path.items():
        out += problems + salvaged_problems(config, path, sources.get(path, root), problems)
    return out


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
    numbers: dict[str, set[Number]] = defaultdict(set)
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


def _check_references(fact: Facts, kept: dict[str, Facts], numbers: dict[str, set[Number]], broken_ids: set[str],
                      add: AddProblem) -> None:
    """One record's references: the responses its history names, the meeting it arose at or was presented to and,
    for a recommendation or response, its report with the dates and recommendation numbers that depend on it.
    A reference to a record whose own file has a problem is not a second problem: it is reported there."""
    for index, response_id in fact.response_refs:
        target = kept.get(response_id)
        if response_id in broken_ids:
            continue
        if target is None or target.kind != "response":
            add(fact, ("history", index, "response"), f"no response record {response_id!r}")
    _check_meeting(fact, kept, broken_ids, add)
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
    _check_answers(fact, numbers[fact.report], broken_ids, add)


def _check_meeting(fact: Facts, kept: dict[str, Facts], broken_ids: set[str], add: AddProblem) -> None:
    """The meeting an action arose at, or a report was presented to, is recorded."""
    if not fact.meeting or fact.meeting in broken_ids:
        return
    target = kept.get(fact.meeting)
    if target is None or target.kind != "meeting":
        add(fact, ("presented_at" if fact.kind == "report" else "meeting",),
            f"{NO_MEETING} {fact.meeting!r}; record the meeting first "
            f"(tracker new meeting --committee {_committee_of(fact.meeting)} --date {fact.meeting[-10:]})")


def _check_answers(fact: Facts, numbers: set[Number], broken_ids: set[str], add: AddProblem) -> None:
    """A response answers only recommendations its report has, each once."""
    seen: set[Number] = set()
    for index, number in enumerate(fact.answers):
        if number not in numbers and ids.recommendation_id(fact.report, number) not in broken_ids:
            add(fact, ("recommendations", index, "number"), f"report {fact.report} has no recommendation {number}")
        if number in seen:
            add(fact, ("recommendations", index, "number"), f"recommendation {number} is answered twice")
        seen.add(number)


def _check_numbers_used_once(kept: dict[str, Facts], add: AddProblem) -> None:
    """No two recommendations of a report share a number; the later ones are the problems."""
    by_number: dict[tuple[str, Number], list[Facts]] = defaultdict(list)
    for fact in kept.values():
        if fact.kind == "recommendation":
            by_number[(fact.report, fact.number)].append(fact)
    for (report_id, number), same in by_number.items():
        for extra in same[1:]:
            add(extra, ("number",), f"report {report_id} already has recommendation {number} ({same[0].path})")


NO_MEETING = "no meeting record"


def _committee_of(meeting_id: str) -> str:
    return meeting_id[:-11]  # <committee>-YYYY-MM-DD


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
    return without_cascades(problems)


def without_cascades(problems: Iterable[Problem]) -> list[Problem]:
    """The problems sorted, less those that only follow from another of the same file: an action of an unknown
    committee has no meeting record under that committee either."""
    problems = set(problems)
    unknown_committee = {p.path for p in problems if p.field == "committee"}
    return sorted(p for p in problems
                  if not (p.field == "meeting" and p.path in unknown_committee and p.message.startswith(NO_MEETING)))


def validate(config: Config, records: RecordSet) -> list[Problem]:
    """Every problem in the repository, sorted by file and line."""
    locate = _locator(config, records)
    # The records kept for their IDs first, in load order, then those that lost their ID to one of them.
    loaded = [*records.records.values(), *(second for _, second in records.duplicates)]
    own = {record.path: local_problems(config, record, records.sources.get(record.path, config.root))
           for record in records.records.values()}
    failed = with_salvaged(config, records.problems, records.sources, config.root)
    return combine(failed, ((facts_of(record), own.get(record.path, [])) for record in loaded), locate)


def problems_by_file(config: Config, records: RecordSet, only: frozenset[str] | None = None) -> dict[str, list[Problem]]:
    """validate()'s problems by file (of the files in only, when given), for the files that have any."""
    found: dict[str, list[Problem]] = {}
    for problem in validate(config, records):
        if only is None or problem.path in only:
            found.setdefault(problem.path, []).append(problem)
    return found


def check_record(config: Config, records: RecordSet, record: Record) -> list[Problem]:
    """The problems of one record among the others (its ID, committee, statuses, history and references)."""
    locate = _locator(config, records)
    others = [facts_of(other) for other in records.records.values() if other.path != record.path]
    broken = {p.record_id for p in records.problems if p.record_id}
    found, _ = across([facts_of(record), *others], broken, locate, only=record.path)
    source = records.sources.get(record.path, config.root)
    return without_cascades(local_problems(config, record, source) + found)


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


def _check_bodies(add: Add, config: Config, record: Record) -> None:
    """Where tracker.yaml lists the bodies, every name a record owes or answers with is one of them."""
    named: list[tuple[FieldPath, str]] = []
    if isinstance(record, Action):
        named.append((("responsible",), record.responsible))
    elif isinstance(record, Recommendation):
        named += [(("to", index), name) for index, name in enumerate(record.to)]
    elif isinstance(record, Response):
        named.append((("from",), record.from_body))
    for field_path, name in named:
        problem = config.unknown_body(name)
        if problem:
            add(field_path, problem)


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
