"""Questions asked of the records as things stood on a given date: filters, overdue items, what to chase."""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from tracker.model.dates import PartialDate
from tracker.model.records import Action, Meeting, Recommendation, Record, Report, Response, Trackable
from tracker.model.recordset import RecordSet
from tracker.storage.config import Config

KIND_ORDER = {"meeting": 0, "report": 1, "action": 2, "recommendation": 3, "response": 4}


@dataclass(frozen=True)
class Filters:
    """What `tracker list` and friends narrow the records down to; empty means no restriction."""

    kinds: tuple[str, ...] = ()
    committee: str = ""
    statuses: tuple[str, ...] = ()
    responsible: str = ""
    report: str = ""
    category: str = ""  # "open" or "done"
    overdue: bool = False


class Reason(NamedTuple):
    """Why an item needs attention, and for how many days it has."""

    reason: str  # overdue | response-overdue | follow-up-due
    days: int
    since: dt.date
    addressee: str = ""

    def to_json(self) -> dict[str, Any]:
        if self.addressee:
            return {"reason": self.reason, "days": self.days, "since": self.since.isoformat(), "addressee": self.addressee}
        return {"reason": self.reason, "days": self.days, "since": self.since.isoformat()}


class Attention(NamedTuple):
    """An open item that needs acting on, with its reasons, worst first."""

    record: Trackable
    reasons: tuple[Reason, ...]

    @property
    def worst(self) -> int:
        return max(reason.days for reason in self.reasons)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off the cycle collector while many small objects that will all live on are built: it would only walk
    them again and again (nothing built here is cyclic; reference counting frees it all)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def exists_on(records: RecordSet, record: Record, as_of: dt.date) -> bool:
    """Whether the record had come into being by that date."""
    if isinstance(record, Response):
        return record.date <= as_of
    if isinstance(record, Meeting):
        return True
    if isinstance(record, Report):
        return record.published.first_day() <= as_of
    created = records.created(record)
    return created is None or created <= as_of


def owners(record: Record) -> tuple[str, ...]:
    if isinstance(record, Action):
        return (record.responsible,)
    if isinstance(record, Recommendation):
        return record.to
    if isinstance(record, Response):
        return (record.from_body,)
    return ()


def matches_body(config: Config, wanted: str, names: tuple[str, ...]) -> bool:
    """Whether any of names is the body wanted, by canonical name or as a case-insensitive part of the name."""
    wanted_folded = wanted.casefold()
    canonical = config.canonical_body(wanted)
    return any(
        config.canonical_body(name) == canonical or wanted_folded in name.casefold() or wanted_folded in config.canonical_body(name).casefold()
        for name in names
    )


def days_overdue(record: Trackable, config: Config, as_of: dt.date) -> int | None:
    """Days past the due date for an open item, or None when it is not overdue."""
    if not config.is_open(record.kind, record.status_as_of(as_of)):
        return None
    due = record.due_as_of(as_of)
    if due is None or due.last_day() >= as_of:
        return None
    return (as_of - due.last_day()).days


def select(records: RecordSet, config: Config, filters: Filters, as_of: dt.date) -> list[Record]:
    """The records matching the filters as things stood on as_of, in a stable, readable order."""
    selected = []
    report_id = records.report(filters.report).id if filters.report else ""
    for record in records:
        if filters.kinds and record.kind not in filters.kinds:
            continue
        if not exists_on(records, record, as_of):
            continue
        if filters.committee and records.committee_of(record) != filters.committee:
            continue
        if report_id and getattr(record, "report", record.id) != report_id:
            continue
        if filters.responsible and not matches_body(config, filters.responsible, owners(record)):
            continue
        if filters.statuses or filters.category or filters.overdue:
            if not isinstance(record, Trackable):
                continue
            status = record.status_as_of(as_of)
            if filters.statuses and status not in filters.statuses:
                continue
            if filters.category and config.is_open(record.kind, status) != (filters.category == "open"):
                continue
            if filters.overdue and days_overdue(record, config, as_of) is None:
                continue
        selected.append(record)
    return sorted(selected, key=lambda r: sort_key(records, r))


def sort_key(records: RecordSet, record: Record) -> tuple[Any, ...]:
    committee = records.committee_of(record)
    if isinstance(record, Action):
        return (committee, KIND_ORDER["action"], record.standing, record.meeting or dt.date.min, _item_key(record.item), record.id)
    if isinstance(record, Recommendation):
        return (committee, KIND_ORDER["recommendation"], record.report, record.number, record.id)
    when = getattr(record, "date", None) or dt.date.min
    return (committee, KIND_ORDER[record.kind], str(getattr(record, "report", "")), when, record.id)


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[Any, ...]:
    """A key that orders text as people read numbers in it: R1, R2, ..., R11 (not R1, R11, R2), case ignored."""
    parts = _DIGITS.split(text.casefold())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


@lru_cache(maxsize=4096)
def _item_key(item: str) -> tuple[int, str]:
    digits = "".join(ch for ch in item if ch.isdigit()) or "0"
    return (int(digits[:9]), item)


CONTACT_EVENTS = ("status", "note", "response", "follow-up", "reschedule")


def last_contact(records: RecordSet, record: Trackable, responses: list[Response], as_of: dt.date) -> dt.date | None:
    """The last day anything was heard or done on the item by as_of: its creation, a status change, note, response,
    follow-up or reschedule in its history, or a response record answering it."""
    dates = [event.date for event in record.events_until(as_of) if event.event in CONTACT_EVENTS]
    created = records.created(record)
    if created is not None:
        dates.append(created)
    if isinstance(record, Recommendation):
        dates.extend(r.date for r in responses if r.date <= as_of and record.number in r.numbers)
    return max(dates) if dates else None


def missing_responses(
    config: Config, recommendation: Recommendation, responses: list[Response], as_of: dt.date
) -> list[str]:
    """The addressees who have not answered this recommendation by as_of."""
    answered = {
        config.canonical_body(r.from_body) for r in responses if r.date <= as_of and recommendation.number in r.numbers
    }
    return [body for body in recommendation.to if config.canonical_body(body) not in answered]


def trackables(records: RecordSet, config: Config, as_of: dt.date, filters: Filters) -> Iterator[Trackable]:
    """The actions and recommendations that existed on as_of, of the committee and body the filters name."""
    return _Day(records, config, as_of).trackables(filters)


def needs_attention(records: RecordSet, config: Config, as_of: dt.date, filters: Filters | None = None) -> list[Attention]:
    """Every open item a clerk should act on as of that date, each reason worst first, the worst items first.

    A deadline that has not passed yet (due today included) is never a reason, and nobody is chased for news while
    any of their deadlines is still running. With a responsible filter, a missing response is listed only for the
    addressees that match it.
    """
    filters = filters or Filters()
    day = _Day(records, config, as_of)
    responsible = filters.responsible
    found = []
    with collector_paused():
        for record in day.trackables(filters):
            status, due = record.state_as_of(as_of)
            if not day.status(record.kind, status)[0]:
                continue
            reasons = day.reasons(record, due)
            if responsible:
                reasons = [r for r in reasons if not r.addressee or matches_body(config, responsible, (r.addressee,))]
            if reasons:
                if len(reasons) > 1:
                    reasons.sort(key=_minus_days)
                found.append(Attention(record, tuple(reasons)))
        sort_key_of = day.sort_key
        found.sort(key=lambda a: (-a.reasons[0].days, sort_key_of(a.record)))
    return found


def attention_rows(records: RecordSet, config: Config, items: list[Attention], as_of: dt.date,
                   ) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Each item's row (as row()) with the key needs_attention orders items by (worst first, then as sort_key),
    so that lists of items can be merged in that order."""
    day = _Day(records, config, as_of)
    with collector_paused():
        return [((-item.reasons[0].days, day.sort_key(item.record)), day.row(item.record)) for item in items]


def _minus_days(reason: Reason) -> int:
    return -reason.days


def row(records: RecordSet, config: Config, record: Record, as_of: dt.date) -> dict[str, Any]:
    """The stable, documented summary of a record used by `list --format json|csv` and tables."""
    return _Day(records, config, as_of).row(record)


def rows(records: RecordSet, config: Config, chosen: Iterable[Record], as_of: dt.date) -> list[dict[str, Any]]:
    """row() of each record, in order, faster than one at a time."""
    with collector_paused():
        return [*map(_Day(records, config, as_of).row, chosen)]


class _ReportFacts:
    """What the items of one report need to know about it on one day."""

    __slots__ = ("day", "report_id", "committee", "published", "responses_due", "_answers")

    def __init__(self, day: _Day, report_id: str):
        report = day.records.records.get(report_id)
        self.day = day
        self.report_id = report_id
        if isinstance(report, Report):
            self.committee = report.committee
            self.published: dt.date | None = report.published.first_day()
            self.responses_due: dt.date | None = report.responses_due(day.config.response_days)
        else:
            self.committee, self.published, self.responses_due = "", None, None
        self._answers: tuple[dict[int, set[str]], dict[int, dt.date]] | None = None

    def answers(self) -> tuple[dict[int, set[str]], dict[int, dt.date]]:
        """Who had answered each recommendation number by the day (canonical names), and when the latest answer
        to it came."""
        if self._answers is None:
            answered: dict[int, set[str]] = {}
            heard: dict[int, dt.date] = {}
            day = self.day
            as_of = day.as_of
            canonical = day.canonical
            for response in day.responses_by_report().get(self.report_id, ()):
                when = response.date
                if when > as_of:
                    continue
                body = canonical(response.from_body)
                for answer in response.answers:
                    number = answer.number
                    bodies = answered.get(number)
                    if bodies is None:
                        answered[number] = {body}
                        heard[number] = when
                    else:
                        bodies.add(body)
                        if when > heard[number]:
                            heard[number] = when
            self._answers = (answered, heard)
        return self._answers


class _Day:
    """The questions of this module for one set of records on one day, with what many records share (a report's
    committee and answers, a status's label, a partial date's last day) worked out once."""

    def __init__(self, records: RecordSet, config: Config, as_of: dt.date):
        self.records = records
        self.config = config
        self.as_of = as_of
        self._reports: dict[str, _ReportFacts] = {}
        self._responses: dict[str, list[Response]] | None = None
        self._canonical: dict[str, str] = {}
        self._due_texts: dict[tuple[int, int | None, int | None], tuple[str, dt.date, str]] = {}
        self._statuses: dict[tuple[str, str], tuple[bool, str]] = {}

    def status(self, kind: str, slug: str) -> tuple[bool, str]:
        """Whether a status of that kind of item counts as open, and its label."""
        facts = self._statuses.get((kind, slug))
        if facts is None:
            facts = self._statuses[kind, slug] = (self.config.is_open(kind, slug), self.config.label(kind, slug))
        return facts

    def responses_by_report(self) -> dict[str, list[Response]]:
        if self._responses is None:
            self._responses = self.records.responses_by_report()
        return self._responses

    def report(self, report_id: str) -> _ReportFacts:
        facts = self._reports.get(report_id)
        if facts is None:
            facts = self._reports[report_id] = _ReportFacts(self, report_id)
        return facts

    def canonical(self, name: str) -> str:
        canonical = self._canonical.get(name)
        if canonical is None:
            canonical = self._canonical[name] = self.config.canonical_body(name)
        return canonical

    def due_text(self, due: PartialDate) -> tuple[str, dt.date, str]:
        """The due date as written, its last day, and that day in ISO form."""
        key = (due.year, due.month, due.day)
        text = self._due_texts.get(key)
        if text is None:
            last = due.last_day()
            text = self._due_texts[key] = (str(due), last, last.isoformat())
        return text

    def committee(self, record: Record) -> str:
        if isinstance(record, (Recommendation, Response)):
            return self.report(record.report).committee
        return str(getattr(record, "committee", ""))

    def created(self, record: Trackable) -> dt.date | None:
        created = record.created
        if created is None and isinstance(record, Recommendation):
            return self.report(record.report).published
        return created

    def trackables(self, filters: Filters) -> Iterator[Trackable]:
        """The actions and recommendations that existed on the day, of the committee and body the filters name."""
        as_of = self.as_of
        committee, responsible = filters.committee, filters.responsible
        for record in self.records.records.values():
            if isinstance(record, Action):
                if committee and record.committee != committee:
                    continue
                created = record.created
            elif isinstance(record, Recommendation):
                facts = self.report(record.report)
                if committee and facts.committee != committee:
                    continue
                created = record.created if record.created is not None else facts.published
            elif isinstance(record, Trackable):
                if committee and self.records.committee_of(record) != committee:
                    continue
                created = self.records.created(record)
            else:
                continue
            if created is not None and created > as_of:
                continue
            if responsible and not matches_body(self.config, responsible, owners(record)):
                continue
            yield record

    def reasons(self, record: Trackable, due: PartialDate | None) -> list[Reason]:
        """Why an open item, due on that date as things stood, needs attention on the day."""
        as_of = self.as_of
        reasons = []
        deadline_running = False
        if due is not None:
            last = self.due_text(due)[1]
            if last >= as_of:
                deadline_running = True
            else:
                reasons.append(Reason("overdue", (as_of - last).days, last))
        heard = None
        if isinstance(record, Recommendation):
            facts = self.report(record.report)
            number = record.number
            answered_by_number, heard_by_number = facts.answers()
            heard = heard_by_number.get(number)
            if facts.responses_due is not None:
                answered = answered_by_number.get(number, ())
                canonical = self.canonical
                missing = [body for body in record.to if canonical(body) not in answered]
                if missing:
                    response_due = facts.responses_due
                    if response_due < as_of:
                        days = (as_of - response_due).days
                        reasons.extend(Reason("response-overdue", days, response_due, body) for body in missing)
                    else:
                        deadline_running = True
        if not deadline_running:
            contact = self.created(record)
            if heard is not None and (contact is None or heard > contact):
                contact = heard
            for event in record.history:
                when = event.date
                if when <= as_of and event.event in CONTACT_EVENTS and (contact is None or when > contact):
                    contact = when
            if contact is not None and (as_of - contact).days >= self.config.followup_days:
                reasons.append(Reason("follow-up-due", (as_of - contact).days, contact))
        return reasons

    def sort_key(self, record: Record) -> tuple[Any, ...]:
        if isinstance(record, Action):
            return (record.committee, 2, record.standing, record.meeting or dt.date.min, _item_key(record.item), record.id)
        if isinstance(record, Recommendation):
            return (self.report(record.report).committee, 3, record.report, record.number, record.id)
        return sort_key(self.records, record)

    def row(self, record: Record) -> dict[str, Any]:
        kind = record.kind
        if isinstance(record, Trackable):
            status, due = record.state_as_of(self.as_of)
            is_open, label = self.status(kind, status)
            if due is None:
                due_text = due_date = overdue = None
            else:
                due_text, last, due_date = self.due_text(due)
                overdue = (self.as_of - last).days if is_open and last < self.as_of else None
            return {"id": record.id, "kind": kind, "committee": self.committee(record), "status": status,
                    "status_label": label, "category": "open" if is_open else "done",
                    "due": due_text, "due_date": due_date, "days_overdue": overdue, "responsible": list(owners(record)),
                    "title": title_of(self.records, record),
                    "text": getattr(record, "text", "") or getattr(record, "summary", ""), "path": record.path}
        return {"id": record.id, "kind": kind, "committee": self.committee(record), "status": None, "status_label": None,
                "category": None, "due": None, "due_date": None, "days_overdue": None, "responsible": list(owners(record)),
                "title": title_of(self.records, record),
                "text": getattr(record, "text", "") or getattr(record, "summary", ""), "path": record.path}


def title_of(records: RecordSet, record: Record) -> str:
    """A one-line name for the record, as a clerk would refer to it."""
    if isinstance(record, Action):
        return record.title if record.standing else f"Item {record.item}: {record.item_title}"
    if isinstance(record, Recommendation):
        first_line = " ".join(record.text.split())
        return f"Recommendation {record.number}: {first_line}"
    if isinstance(record, Response):
        return f"Response from {record.from_body}"
    if isinstance(record, Report):
        return record.title
    if isinstance(record, Meeting):
        return record.title or f"Meeting of {record.date.isoformat()}"
    return record.id
