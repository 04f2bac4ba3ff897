"""Questions asked of the records as things stood on a given date: filters, overdue items, what to chase."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from tracker.model.collector import collector_paused
from tracker.model.dates import PartialDate
from tracker.model.dependencies import group
from tracker.model.numbers import Number, natural_key, number_key
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


# The rules of what is owed, each written once. What an answer depends on is what the functions read: the item
# (its status, due date and history as of the day), its report and that report's responses, and tracker.yaml.


def attention_needs(record: Record) -> tuple[str, ...]:
    """What the rules below read of other records for an item: a recommendation's report (its committee,
    publication and response deadline) and that report's responses (who has answered, and when)."""
    if isinstance(record, Recommendation):
        return (record.report, group(record.report, "response"))
    return ()


def overdue_by(due: PartialDate | None, as_of: dt.date) -> int | None:
    """The overdue rule: days past the last day of the due date (a month is due by its last day), or None while
    the deadline is running (due today included). Only open items are overdue (see days_overdue)."""
    if due is None:
        return None
    last = due.last_day()
    return (as_of - last).days if last < as_of else None


def response_overdue_by(responses_due: dt.date | None, as_of: dt.date) -> int | None:
    """The response rule: days since the day a report's responses were due (tracker.yaml's response_days after
    publication), or None while that day has not passed."""
    if responses_due is None or responses_due >= as_of:
        return None
    return (as_of - responses_due).days


def follow_up_due_by(last_contact: dt.date | None, config: Config, as_of: dt.date) -> int | None:
    """The follow-up rule: days since anything was last heard or done on an item, once that is at least
    tracker.yaml's followup_days (and no deadline of the item is running: see _Day.reasons)."""
    if last_contact is None or (as_of - last_contact).days < config.followup_days:
        return None
    return (as_of - last_contact).days


def days_overdue(record: Trackable, config: Config, as_of: dt.date) -> int | None:
    """Days past the due date for an item open on as_of, or None when it is not overdue."""
    status, due = record.state_as_of(as_of)
    return overdue_by(due, as_of) if config.is_open(record.kind, status) else None


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
        return (committee, KIND_ORDER["action"], record.standing, record.meeting or dt.date.min, natural_key(record.item), record.id)
    if isinstance(record, Recommendation):
        return (committee, KIND_ORDER["recommendation"], record.report, number_key(record.number), record.id)
    when = getattr(record, "date", None) or dt.date.min
    return (committee, KIND_ORDER[record.kind], str(getattr(record, "report", "")), when, record.id)




CONTACT_EVENTS = ("status", "note", "response", "follow-up", "reschedule")


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
        found.sort(key=lambda a: (-a.reasons[0].days, sort_key(records, a.record)))
    return found


def attention_rows(records: RecordSet, config: Config, items: list[Attention], as_of: dt.date,
                   ) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Each item's row (as row()) with the key needs_attention orders items by (worst first, then as sort_key),
    so that lists of items can be merged in that order."""
    day = _Day(records, config, as_of)
    with collector_paused():
        return [((-item.reasons[0].days, sort_key(records, item.record)), day.row(item.record)) for item in items]


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
        self._answers: tuple[dict[Number, set[str]], dict[Number, dt.date]] | None = None

    def answers(self) -> tuple[dict[Number, set[str]], dict[Number, dt.date]]:
        """Who had answered each recommendation number by the day (canonical names), and when the latest answer
        to it came."""
        if self._answers is None:
            answered: dict[Number, set[str]] = {}
            heard: dict[Number, dt.date] = {}
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

    def trackables(self, filters: Filters) -> Iterator[Trackable]:
        """The actions and recommendations that existed on the day, of the committee and body the filters name."""
        as_of = self.as_of
        committee, responsible = filters.committee, filters.responsible
        for record in self.records.records.values():
            if not isinstance(record, Trackable):
                continue
            if committee and self.records.committee_of(record) != committee:
                continue
            created = self.records.created(record)
            if created is not None and created > as_of:
                continue
            if responsible and not matches_body(self.config, responsible, owners(record)):
                continue
            yield record

    def reasons(self, record: Trackable, due: PartialDate | None) -> list[Reason]:
        """Why an open item, due on that date as things stood, needs attention on the day (the rules above); nobody
        is chased for news while any deadline of the item is still running."""
        as_of = self.as_of
        reasons = []
        overdue = overdue_by(due, as_of)
        deadline_running = due is not None and overdue is None
        if due is not None and overdue is not None:
            reasons.append(Reason("overdue", overdue, due.last_day()))
        heard = None
        if isinstance(record, Recommendation):
            facts = self.report(record.report)
            answered_by_number, heard_by_number = facts.answers()
            heard = heard_by_number.get(record.number)
            answered = answered_by_number.get(record.number, ())
            missing = [body for body in record.to if self.canonical(body) not in answered]
            late = response_overdue_by(facts.responses_due, as_of)
            if missing and facts.responses_due is not None:
                if late is None:
                    deadline_running = True
                else:
                    reasons.extend(Reason("response-overdue", late, facts.responses_due, body) for body in missing)
        if not deadline_running:
            contact = self._last_contact(record, heard)
            quiet = follow_up_due_by(contact, self.config, as_of)
            if contact is not None and quiet is not None:
                reasons.append(Reason("follow-up-due", quiet, contact))
        return reasons

    def _last_contact(self, record: Trackable, heard: dt.date | None) -> dt.date | None:
        """The last day anything was heard or done on the item by the day: its creation, an answer to it, or a
        status change, note, response, follow-up or reschedule in its history."""
        contact: dt.date | None = self.records.created(record)
        if heard is not None and (contact is None or heard > contact):
            contact = heard
        for event in record.history:
            when = event.date
            if when <= self.as_of and event.event in CONTACT_EVENTS and (contact is None or when > contact):
                contact = when
        return contact

    def row(self, record: Record) -> dict[str, Any]:
        kind = record.kind
        if isinstance(record, Trackable):
            status, due = record.state_as_of(self.as_of)
            is_open, label = self.status(kind, status)
            if due is None:
                due_text = due_date = overdue = None
            else:
                due_text, _last, due_date = self.due_text(due)
                overdue = overdue_by(due, self.as_of) if is_open else None
            return {"id": record.id, "kind": kind, "committee": self.records.committee_of(record), "status": status,
                    "status_label": label, "category": "open" if is_open else "done",
                    "due": due_text, "due_date": due_date, "days_overdue": overdue, "responsible": list(owners(record)),
                    "title": title_of(self.records, record),
                    "text": getattr(record, "text", "") or getattr(record, "summary", ""), "path": record.path}
        return {"id": record.id, "kind": kind, "committee": self.records.committee_of(record), "status": None, "status_label": None,
                "category": None, "due": None, "due_date": None, "days_overdue": None, "responsible": list(owners(record)),
                "title": title_of(self.records, record),
                "text": getattr(record, "text", "") or getattr(record, "summary", ""), "path": record.path}


def text_start(text: str, width: int = 60) -> str:
    """The start of a text on one line, cut at a word: "To provide the number of repeat victims of…"."""
    words = " ".join(line.strip().lstrip("-*•").strip() for line in text.splitlines()).split()
    start = ""
    for word in words:
        if start and len(start) + 1 + len(word) > width:
            return start.rstrip(",;:") + "…"
        start = f"{start} {word}" if start else word
    return start


def title_of(records: RecordSet, record: Record) -> str:
    """A one-line name for the record, as a clerk would refer to it. An action of a meeting is named by its item
    and the start of its own text, so the several actions of one item are told apart."""
    if isinstance(record, Action):
        if record.standing:
            return record.title
        return f"Item {record.item}: {record.item_title} — {text_start(record.text)}"
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
